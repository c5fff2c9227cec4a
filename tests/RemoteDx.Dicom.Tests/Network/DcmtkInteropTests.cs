using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>DCMTK (echoscu, storescu, storescp) against DicomServer and DicomClient on loopback.</summary>
public sealed class DcmtkInteropTests
{
    [Fact]
    public async Task EchoscuGetsSuccessAndTheAssociationIsReleased()
    {
        await using var s = await TestServer.StartAsync();
        await Net.RunOkAsync("echoscu", "-aet", "ECHOSCU", "-aec", "REMOTEDX", "127.0.0.1", s.Port.ToString());
        var record = await s.Observer.NextAsync();
        Assert.Equal("released", record.Outcome);
        Assert.Equal("ECHOSCU", record.Info.CallingAE);
        Assert.Equal(1, record.StatusCounts[0x0000]);
    }

    [Fact]
    public async Task StorescuInstancesArriveUnchangedInEachTransferSyntax()
    {
        var dir = TempDirectory.ForTestRun();
        var files = new List<string> { Net.TestFile("CT_small.dcm"), Net.TestFile("MR_small_implicit.dcm"), Net.TestFile("MR_small_RLE.dcm"), Net.TestFile("rtplan.dcm") };
        // JPEG lossless SV1 made by DCMTK from an explicit VR file.
        var jpegLl = Path.Combine(dir, "ct_jpegll.dcm");
        await Net.RunOkAsync("dcmcjpeg", "+e1", Net.TestFile("CT_small.dcm"), jpegLl);
        files.Add(jpegLl);
        // JPEG-LS lossless made by DCMTK (DCMTK misreads pydicom's JPEG-LS sample); JPEG 2000 lossless from pydicom.
        var jpegLs = Path.Combine(dir, "mr_jpegls.dcm");
        await Net.RunOkAsync("dcmcjpls", Net.TestFile("MR_small.dcm"), jpegLs);
        foreach (var optional in new[] { jpegLs, Net.TestFile("MR_small_jp2klossless.dcm") })
        {
            var ts = DicomReader.ReadFile(optional).TransferSyntax;
            // Decodable here unless libcharls2 / libopenjp2-7 is missing (CodecRegistryTests report that).
            if (CodecRegistry.DecodableTransferSyntaxUids.Contains(ts.Uid))
            {
                files.Add(optional);
            }
        }

        await using var s = await TestServer.StartAsync();
        // One storescu run per file: storescu proposes one syntax family per SOP class, so an RLE and a native MR
        // image cannot share its association.
        foreach (var f in files)
        {
            // storescu proposes a compressed syntax only when asked to (-xr RLE, -xs JPEG lossless SV1, -xt JPEG-LS
            // lossless, -xv JPEG 2000 lossless); native files go with its default uncompressed proposal.
            var propose = DicomReader.ReadFile(f).TransferSyntax.Uid switch
            {
                "1.2.840.10008.1.2.5" => "-xr",
                "1.2.840.10008.1.2.4.70" => "-xs",
                "1.2.840.10008.1.2.4.80" => "-xt",
                "1.2.840.10008.1.2.4.90" => "-xv",
                _ => "-xe",
            };
            await Net.RunOkAsync("storescu", propose, "-aet", "STORESCU", "-aec", "REMOTEDX", "127.0.0.1", s.Port.ToString(), f);
            Assert.Equal("released", (await s.Observer.NextAsync()).Outcome);
        }
        var arrived = s.Handler.Stored.ToArray();
        Assert.Equal(files.Count, arrived.Length);
        for (var i = 0; i < files.Count; i++)
        {
            var f = files[i];
            var original = DicomReader.ReadFile(f);
            var stored = arrived[i];
            Assert.Equal(original.Dataset.GetString(Tag.SOPInstanceUID), stored.Request.SopInstanceUid);
            if (original.TransferSyntax.IsEncapsulated)
            {
                // Lossless compressed syntaxes are kept as sent.
                Assert.Equal(original.TransferSyntax.Uid, stored.Request.TransferSyntax.Uid);
            }
            else
            {
                // storescu offers the file's own native syntax in a context of its own and picks that one.
                Assert.Contains(stored.Request.TransferSyntax.Uid, new[] { TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid });
            }
            Assert.Equal(new FileInfo(stored.Copy).Length, stored.Request.DatasetLength);
            var received = Net.ReadRaw(stored.Copy, stored.Request.TransferSyntax);
            Net.AssertSameDataset(original.Dataset, received, stored.Request.TransferSyntax);
        }
        Assert.Empty(Directory.EnumerateFiles(s.TempDir));
    }

    [Theory]
    [InlineData("-xi", "1.2.840.10008.1.2")]
    [InlineData("-xe", "1.2.840.10008.1.2.1")]
    [InlineData("-xb", "1.2.840.10008.1.2.1")] // storescu -xb also offers explicit LE, which we prefer
    public async Task StorescuProposingOneNativeSyntaxIsAcceptedInIt(string option, string expected)
    {
        await using var s = await TestServer.StartAsync();
        var file = Net.TestFile("CT_small.dcm");
        await Net.RunOkAsync("storescu", "-aec", "REMOTEDX", option, "127.0.0.1", s.Port.ToString(), file);
        await s.Observer.NextAsync();
        var original = DicomReader.ReadFile(file);
        var stored = Assert.Single(s.Handler.Stored);
        Assert.Equal(expected, stored.Request.TransferSyntax.Uid);
        Net.AssertSameDataset(original.Dataset, Net.ReadRaw(stored.Copy, stored.Request.TransferSyntax), stored.Request.TransferSyntax);
    }

    [Fact]
    public async Task DicomClientStoresIntoStorescpAndTheFilesMatch()
    {
        var outDir = TempDirectory.ForTestRun();
        var port = Net.FreePort();
        using var storescp = Net.Start("storescp", "-aet", "STORESCP", "-od", outDir, "+xa", port.ToString());
        try
        {
            await Net.WaitForPortAsync(port, storescp);
            var files = new[] { Net.TestFile("CT_small.dcm"), Net.TestFile("rtplan.dcm"), Net.TestFile("rtstruct.dcm"), Net.TestFile("MR_small_RLE.dcm") };
            var group = Assert.Single(PresentationContextProposal.ForFiles(files));
            var contexts = group.Contexts.Append(PresentationContextProposal.Verification).ToList();
            await using (var client = await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = "STORESCP" }, contexts))
            {
                Assert.True((await client.EchoAsync()).IsSuccess);
                foreach (var f in files)
                {
                    var status = await client.StoreAsync(f);
                    Assert.True(status.IsSuccess, $"{Path.GetFileName(f)}: {status}");
                }
                await client.ReleaseAsync();
            }
            var received = Directory.GetFiles(outDir).Select(p => DicomReader.ReadFile(p))
                .ToDictionary(r => r.Dataset.GetString(Tag.SOPInstanceUID)!);
            foreach (var f in files)
            {
                var original = DicomReader.ReadFile(f);
                var got = received[original.Dataset.GetString(Tag.SOPInstanceUID)!];
                // A file is sent in its own syntax when that was accepted (storescp +xa accepts all).
                Assert.Equal(original.TransferSyntax.Uid, got.TransferSyntax.Uid);
                Net.AssertSameDataset(original.Dataset, got.Dataset, original.TransferSyntax);
            }
        }
        finally
        {
            storescp.Kill();
        }
    }

    [Fact]
    public async Task DicomClientTranscodesNativeFilesWhenOnlyLittleEndianWasAccepted()
    {
        await using var s = await TestServer.StartAsync();
        var file = Net.TestFile("MR_small_bigendian.dcm");
        var sop = DicomReader.ReadFile(file).Dataset.GetString(Tag.SOPClassUID)!;
        var contexts = new[] { new PresentationContextProposal(sop, [TransferSyntax.ImplicitVRLittleEndian.Uid]) };
        await using (var client = await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX" }, contexts))
        {
            Assert.True((await client.StoreAsync(file)).IsSuccess);
            // An encapsulated file whose syntax was not accepted fails clearly instead of losing pixel data.
            var ex = await Assert.ThrowsAsync<DicomNetworkException>(() => client.StoreAsync(Net.TestFile("MR_small_RLE.dcm")));
            Assert.Contains("RLE Lossless", ex.Message, StringComparison.Ordinal);
            await client.ReleaseAsync();
        }
        var stored = Assert.Single(s.Handler.Stored);
        Assert.Equal(TransferSyntax.ImplicitVRLittleEndian.Uid, stored.Request.TransferSyntax.Uid);
        Net.AssertSameDataset(DicomReader.ReadFile(file).Dataset, Net.ReadRaw(stored.Copy, stored.Request.TransferSyntax), TransferSyntax.ExplicitVRLittleEndian);
    }

    private static (string Cert, string Key) MakeCertificate(string dir)
    {
        var cert = Path.Combine(dir, "cert.pem");
        var key = Path.Combine(dir, "key.pem");
        Tool.RunOk("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            // Also a client certificate in the mutual TLS test: the listener requires the clientAuth usage.
            "-addext", "extendedKeyUsage=serverAuth,clientAuth");
        return (cert, key);
    }

    [Fact]
    public async Task TlsEchoscuStorescuAndDicomClientWork()
    {
        var dir = TempDirectory.ForTestRun();
        var (certPath, keyPath) = MakeCertificate(dir);
        using var cert = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        await using var s = await TestServer.StartAsync(o =>
        {
            o.TlsPort = 0;
            o.TlsCertificate = cert;
        });
        var tlsPort = s.Server.TlsEndPoint!.Port.ToString();
        await Net.RunOkAsync("echoscu", "+tla", "+cf", certPath, "-aec", "REMOTEDX", "127.0.0.1", tlsPort);
        await Net.RunOkAsync("storescu", "+tla", "+cf", certPath, "-aec", "REMOTEDX", "127.0.0.1", tlsPort, Net.TestFile("CT_small.dcm"));
        var echo = await s.Observer.NextAsync();
        Assert.True(echo.Info.Tls);
        Assert.Equal("released", echo.Outcome);
        Assert.Equal("released", (await s.Observer.NextAsync()).Outcome);
        Assert.Single(s.Handler.Stored);

        var options = new DicomClientOptions
        {
            Host = "127.0.0.1", Port = s.Server.TlsEndPoint.Port, CalledAE = "REMOTEDX", Tls = true, TlsServerName = "localhost",
            TrustedCertificates = [X509CertificateLoader.LoadCertificateFromFile(certPath)],
        };
        await using (var client = await DicomClient.ConnectAsync(options, [PresentationContextProposal.Verification]))
        {
            Assert.True((await client.EchoAsync()).IsSuccess);
            await client.ReleaseAsync();
        }
        Assert.True((await s.Observer.NextAsync()).Info.Tls);
        // A client that does not trust the server's certificate fails the handshake.
        options.TrustedCertificates = [X509CertificateLoader.LoadCertificateFromFile(MakeCertificate(TempDirectory.ForTestRun()).Cert)];
        await Assert.ThrowsAsync<DicomNetworkException>(() => DicomClient.ConnectAsync(options, [PresentationContextProposal.Verification]));
    }

    [Fact]
    public async Task MutualTlsRequiresATrustedClientCertificate()
    {
        var dir = TempDirectory.ForTestRun();
        var (certPath, keyPath) = MakeCertificate(dir);
        using var cert = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        await using var s = await TestServer.StartAsync(o =>
        {
            o.TlsPort = 0;
            o.TlsCertificate = cert;
            o.RequireClientCertificate = true;
            o.TrustedClientCertificates = [X509CertificateLoader.LoadCertificateFromFile(certPath)];
        });
        var options = new DicomClientOptions
        {
            Host = "127.0.0.1", Port = s.Server.TlsEndPoint!.Port, CalledAE = "REMOTEDX", Tls = true, TlsServerName = "localhost",
            TrustedCertificates = [X509CertificateLoader.LoadCertificateFromFile(certPath)],
            ClientCertificate = cert,
        };
        await using (var client = await DicomClient.ConnectAsync(options, [PresentationContextProposal.Verification]))
        {
            Assert.True((await client.EchoAsync()).IsSuccess);
        }
        options.ClientCertificate = null;
        await Assert.ThrowsAnyAsync<DicomException>(async () =>
        {
            await using var c = await DicomClient.ConnectAsync(options, [PresentationContextProposal.Verification]);
            await c.EchoAsync();
        });
    }
}
