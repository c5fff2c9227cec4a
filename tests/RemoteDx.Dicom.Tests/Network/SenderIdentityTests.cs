using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>DESIGN.md "Between clinics": on the TLS port the calling AE must match the client certificate its
/// allow-list entry pins (PS3.8 7.1.1.9: rejected-permanent, calling-AE-not-recognized); client certificates must be
/// for client authentication; with client certificates required the plain port does not open.</summary>
public sealed class SenderIdentityTests : IDisposable
{
    private readonly TestCertificates _pki = new();

    public void Dispose() => _pki.Dispose();

    private Task<TestServer> StartTlsAsync(Action<DicomServerOptions>? configure = null) => TestServer.StartAsync(o =>
    {
        o.TlsPort = 0;
        o.TlsCertificate = _pki.Server;
        o.RequireClientCertificate = true;
        o.TrustedClientCertificates = [_pki.Ca];
        configure?.Invoke(o);
    });

    private DicomClientOptions Client(TestServer s, string callingAe, X509Certificate2? certificate) => new()
    {
        Host = "127.0.0.1", Port = s.Server.TlsEndPoint!.Port, CalledAE = "REMOTEDX", CallingAE = callingAe, Tls = true,
        TlsServerName = "localhost", TrustedCertificates = [_pki.Ca], ClientCertificate = certificate,
    };

    [Fact]
    public async Task A_client_certificate_pinned_to_one_AE_cannot_associate_as_another()
    {
        using var clinicB = _pki.Client("CN=clinic-b, O=Hill");
        using var clinicC = _pki.Client("CN=clinic-c, O=Dale");
        await using var s = await StartTlsAsync(o =>
        {
            o.AllowedCallingAEs.Add(new AllowedCallingAE("CLINIC_B", Clinic: "Hill", CertificateSubject: "CN=clinic-b, O=Hill"));
            o.AllowedCallingAEs.Add(new AllowedCallingAE("CLINIC_C", CertificateSha256: TestCertificates.Sha256(clinicC)));
        });

        await using (var ok = await DicomClient.ConnectAsync(Client(s, "CLINIC_B", clinicB), [PresentationContextProposal.Verification]))
        {
            Assert.True((await ok.EchoAsync()).IsSuccess);
            await ok.ReleaseAsync();
        }
        var accepted = await s.Observer.NextAsync();
        Assert.Equal(("released", "Hill"), (accepted.Outcome, accepted.Info.Owner));

        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() =>
            DicomClient.ConnectAsync(Client(s, "CLINIC_C", clinicB), [PresentationContextProposal.Verification]));
        Assert.Equal((RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized),
            (ex.Reject.Result, ex.Reject.Source, ex.Reject.Reason));
        Assert.Equal("rejected:calling-ae-not-recognized", (await s.Observer.NextAsync()).Outcome);

        // The fingerprint pin: CLINIC_C with its own certificate is accepted, and its clinic is its AE title.
        await using (var c = await DicomClient.ConnectAsync(Client(s, "CLINIC_C", clinicC), [PresentationContextProposal.Verification]))
        {
            await c.ReleaseAsync();
        }
        Assert.Equal("CLINIC_C", (await s.Observer.NextAsync()).Info.Owner);
    }

    [Fact]
    public async Task A_client_certificate_without_the_clientAuth_usage_fails_the_handshake()
    {
        using var noEku = _pki.Client("CN=clinic-b", clientAuth: false);
        await using var s = await StartTlsAsync();
        await Assert.ThrowsAnyAsync<DicomNetworkException>(async () =>
        {
            await using var c = await DicomClient.ConnectAsync(Client(s, "CLINIC_B", noEku), [PresentationContextProposal.Verification]);
            await c.EchoAsync();
        });
        Assert.Equal("rejected:tls-handshake-failed", (await s.Observer.NextAsync()).Outcome);
    }

    [Fact]
    public async Task A_pinned_AE_is_not_recognized_on_the_plain_port()
    {
        using var clinicB = _pki.Client("CN=clinic-b");
        await using var s = await TestServer.StartAsync(o =>
        {
            o.TlsPort = 0;
            o.TlsCertificate = _pki.Server;
            o.TrustedClientCertificates = [_pki.Ca];
            o.AllowedCallingAEs.Add(new AllowedCallingAE("CLINIC_B", CertificateSubject: "clinic-b"));
        });
        var plain = new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX", CallingAE = "CLINIC_B" };
        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClient.ConnectAsync(plain, [PresentationContextProposal.Verification]));
        Assert.Equal(RejectReason.CallingAeNotRecognized, ex.Reject.Reason);
        // The common name alone pins it too, over TLS.
        await using var c = await DicomClient.ConnectAsync(Client(s, "CLINIC_B", clinicB), [PresentationContextProposal.Verification]);
        await c.ReleaseAsync();
    }

    [Fact]
    public async Task With_client_certificates_required_the_plain_port_stays_closed_unless_explicitly_allowed()
    {
        var port = Net.FreePort();
        await using (var s = await StartTlsAsync(o => o.Port = port))
        {
            Assert.Null(s.Server.LocalEndPoint);
            using var tcp = new TcpClient();
            await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync("127.0.0.1", port));
        }
        await using (var open = await StartTlsAsync(o =>
        {
            o.Port = 0;
            o.AllowPlainWithClientCertificates = true;
        }))
        {
            Assert.NotNull(open.Server.LocalEndPoint);
        }
    }

    [Fact]
    public async Task A_certificate_pinned_by_fingerprint_is_trusted_without_a_CA_and_an_unpinned_one_is_not()
    {
        using var pinned = _pki.Client("CN=clinic-d");
        using var other = _pki.Client("CN=clinic-e");
        await using var s = await TestServer.StartAsync(o =>
        {
            o.TlsPort = 0;
            o.TlsCertificate = _pki.Server;
            o.AllowedCallingAEs.Add(new AllowedCallingAE("CLINIC_D", CertificateSha256: TestCertificates.Sha256(pinned)));
            o.AllowedCallingAEs.Add(new AllowedCallingAE("CLINIC_E"));
        });
        await using (var c = await DicomClient.ConnectAsync(Client(s, "CLINIC_D", pinned), [PresentationContextProposal.Verification]))
        {
            await c.ReleaseAsync();
        }
        Assert.Equal("released", (await s.Observer.NextAsync()).Outcome);
        // Issued by a CA the listener does not trust, and pinned nowhere: the handshake fails.
        await Assert.ThrowsAnyAsync<DicomNetworkException>(async () =>
        {
            await using var c = await DicomClient.ConnectAsync(Client(s, "CLINIC_E", other), [PresentationContextProposal.Verification]);
            await c.EchoAsync();
        });
    }

    [Fact]
    public void Requiring_client_certificates_without_a_trusted_CA_is_a_start_up_error()
    {
        var o = new DicomServerOptions { Port = 0, TlsPort = 0, TlsCertificate = _pki.Server, RequireClientCertificate = true };
        var ex = Assert.Throws<ArgumentException>(o.Validate);
        Assert.Contains("TrustedClientCertificates", ex.Message, StringComparison.Ordinal);
    }
}
