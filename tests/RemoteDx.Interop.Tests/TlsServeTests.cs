using System.Globalization;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>DICOM TLS as a site configures it: certificate and key from configuration, the TLS port beside the plain
/// one.</summary>
public sealed class TlsServeTests
{
    [Fact]
    public async Task Serve_with_a_configured_certificate_accepts_TLS_senders_that_trust_it_and_refuses_plain_ones_on_the_TLS_port()
    {
        var dir = TempDirectory.ForTestRun("rdx-tls");
        try
        {
            var cert = Path.Combine(dir, "server.pem");
            var key = Path.Combine(dir, "server.key");
            await Run(Tool.Require("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");

            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(dir, "data"), new Dictionary<string, string>
            {
                ["RemoteDx__Dicom__TlsPort"] = "0",
                ["RemoteDx__Dicom__TlsCertificate"] = cert,
                ["RemoteDx__Dicom__TlsKey"] = key,
            });
            Assert.NotNull(serve.TlsPort);
            var tlsPort = serve.TlsPort!.Value.ToString(CultureInfo.InvariantCulture);
            var file = Tool.PydicomTestFile("CT_small.dcm");

            // A sender that trusts the certificate stores over TLS.
            var ok = await Run(RemoteDxCommand.Path, "send", "127.0.0.1", tlsPort, file, "--called-aet", "REMOTEDX", "--tls", "--ca", cert);
            Assert.Contains("1 sent, 0 failed", ok.Output, StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(serve.ArchiveRoot, "*.dcm", SearchOption.AllDirectories));

            // Without trust in the certificate the handshake fails; plain DICOM on the TLS port gets nowhere either.
            var untrusted = await Run(RemoteDxCommand.Path, "send", "127.0.0.1", tlsPort, file, "--called-aet", "REMOTEDX", "--tls");
            Assert.NotEqual(0, untrusted.Code);
            Assert.Contains("FAILED", untrusted.Output, StringComparison.Ordinal);
            var plain = await Run(RemoteDxCommand.Path, "send", "127.0.0.1", tlsPort, file, "--called-aet", "REMOTEDX");
            Assert.NotEqual(0, plain.Code);

            // The association audit records which associations were TLS.
            Assert.Equal(1, IndexDatabase.Count(serve.DatabasePath, "SELECT COUNT(*) FROM associations WHERE tls = 1 AND outcome = 'released'"));
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }

    private static async Task<(int Code, string Output)> Run(string exe, params string[] args)
    {
        using var p = ChildProcess.Start(exe, args);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(120));
        return (code, p.Output);
    }
}
