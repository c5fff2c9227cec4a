using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>DESIGN.md "Between clinics": on the TLS port the calling AE must match the client certificate its allow-list
/// entry pins; client certificates must be for client authentication; with client certificates required the plain port
/// stays closed. Certificates are made with openssl, senders are DCMTK's storescu.</summary>
public sealed partial class SenderIdentityTests : IAsyncLifetime
{
    private readonly string _dir = TempDirectory.ForTestRun("identity");
    private TlsOnlyServe _serve = null!;
    private int _plainPort;

    private string Ca => Path.Combine(_dir, "ca.pem");

    private string ClinicB => Path.Combine(_dir, "clinic-b");

    private string ClinicC => Path.Combine(_dir, "clinic-c");

    private string NoEku => Path.Combine(_dir, "no-eku");

    public async Task InitializeAsync()
    {
        var ca = TestCertificateAuthority.Create(_dir, "ca");
        ca.IssueServer("server");
        ca.IssueClient("clinic-b", "/CN=clinic-b/O=Hill");
        ca.IssueClient("clinic-c", "/CN=clinic-c/O=Dale");
        ca.IssueWithoutClientAuth("no-eku", "/CN=clinic-b/O=Hill");

        _plainPort = LoopbackPort.Free();
        using var clinicC = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(ClinicC + ".pem"));
        _serve = await TlsOnlyServe.StartAsync(Path.Combine(_dir, "data"), _plainPort, new Dictionary<string, string>
        {
            ["RemoteDx__Dicom__TlsPort"] = "0",
            ["RemoteDx__Dicom__TlsCertificate"] = Path.Combine(_dir, "server.pem"),
            ["RemoteDx__Dicom__TlsKey"] = Path.Combine(_dir, "server.key"),
            ["RemoteDx__Dicom__RequireClientCertificate"] = "true",
            ["RemoteDx__Dicom__TrustedClientCa"] = Ca,
            ["RemoteDx__Dicom__AllowedCallingAEs__0__AeTitle"] = "CLINIC_B",
            ["RemoteDx__Dicom__AllowedCallingAEs__0__CertificateSubject"] = "CN=clinic-b, O=Hill",
            ["RemoteDx__Dicom__AllowedCallingAEs__1__AeTitle"] = "CLINIC_C",
            ["RemoteDx__Dicom__AllowedCallingAEs__1__CertificateSha256"] = Convert.ToHexString(SHA256.HashData(clinicC.RawData)),
        });
    }

    public async Task DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }
        TempDirectory.TryDelete(_dir);
    }

    private async Task<(int Code, string Output)> StoreScuTlsAsync(string callingAe, string certificate)
    {
        // A study of its own: two clinics storing the sample's study would be an ownership conflict (0124).
        var (study, series) = (Samples.NewUid(), Samples.NewUid());
        var file = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), _dir, ds =>
        {
            ds.SetString(RemoteDx.Dicom.Tag.StudyInstanceUID, RemoteDx.Dicom.VR.UI, study);
            ds.SetString(RemoteDx.Dicom.Tag.SeriesInstanceUID, RemoteDx.Dicom.VR.UI, series);
        }).Path;
        using var p = ChildProcess.Start(Tool.Require("storescu"),
            ["-v", "+tls", certificate + ".key", certificate + ".pem", "+cf", Ca, "-aet", callingAe, "-aec", "REMOTEDX", "127.0.0.1",
             _serve.TlsPort.ToString(CultureInfo.InvariantCulture), file]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Output);
    }

    private long Associations(string outcome) =>
        IndexDatabase.Count(Path.Combine(_serve.DataDirectory, "remotedx.db"), "SELECT count(*) FROM associations WHERE outcome = $o", ("$o", outcome));

    private int Archived => Directory.Exists(Path.Combine(_serve.DataDirectory, "archive"))
        ? Directory.GetFiles(Path.Combine(_serve.DataDirectory, "archive"), "*.dcm", SearchOption.AllDirectories).Length : 0;

    [Fact]
    public async Task A_clinics_certificate_stores_as_its_own_AE_but_sending_as_another_clinics_AE_is_rejected_calling_AE_not_recognized()
    {
        var own = await StoreScuTlsAsync("CLINIC_B", ClinicB);
        Assert.True(own.Code == 0, $"storescu as CLINIC_B exited {own.Code}:\n{own.Output}");
        Assert.Equal(1, Archived);

        var forged = await StoreScuTlsAsync("CLINIC_C", ClinicB);
        Assert.NotEqual(0, forged.Code);
        Assert.Matches(CallingAeNotRecognized(), forged.Output);
        Assert.Equal(1, Archived);
        await WaitForAsync(() => Associations("rejected:calling-ae-not-recognized") == 1);

        // CLINIC_C's fingerprint pin: its own certificate gets through.
        var c = await StoreScuTlsAsync("CLINIC_C", ClinicC);
        Assert.True(c.Code == 0, $"storescu as CLINIC_C exited {c.Code}:\n{c.Output}");
        Assert.Equal(2, Archived);
    }

    [Fact]
    public async Task A_client_certificate_without_the_clientAuth_usage_is_refused_at_the_handshake()
    {
        var r = await StoreScuTlsAsync("CLINIC_B", NoEku);
        Assert.NotEqual(0, r.Code);
        Assert.Equal(0, Archived);
        await WaitForAsync(() => Associations("rejected:tls-handshake-failed") == 1);
    }

    [Fact]
    public async Task With_client_certificates_required_the_plain_port_is_closed_even_when_dicom_port_is_given()
    {
        using var tcp = new TcpClient();
        var ex = await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync("127.0.0.1", _plainPort));
        Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
        Assert.Contains("plain DICOM port " + _plainPort.ToString(CultureInfo.InvariantCulture) + " is not opened", _serve.Output, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 10 s");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex("(?i)calling ae title not recognized")]
    private static partial Regex CallingAeNotRecognized();

    /// <summary>`remotedx serve` with only a TLS listener, started with a fixed `--dicom-port` (the shared fixture passes
    /// port 0) so the test can show that port stays closed: ready once it reports its TLS port and /healthz answers 200.</summary>
    private sealed partial class TlsOnlyServe : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly TaskCompletionSource<int> _tls = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<int> _http = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private TlsOnlyServe(string data, int plainPort, IDictionary<string, string> env)
        {
            DataDirectory = data;
            _process = ChildProcess.Start(RemoteDxCommand.Path,
                ["serve", "--data", data, "--dicom-port", plainPort.ToString(CultureInfo.InvariantCulture), "--http-url", "http://127.0.0.1:0"],
                new Dictionary<string, string>(env) { ["DOTNET_NOLOGO"] = "1" });
            _process.StdoutLine += line =>
            {
                if (TlsLine().Match(line) is { Success: true } t)
                {
                    _tls.TrySetResult(int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture));
                }
                else if (HttpLine().Match(line) is { Success: true } h)
                {
                    _http.TrySetResult(int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            };
        }

        public string DataDirectory { get; }

        public int TlsPort { get; private set; }

        public string Output => _process.Output;

        public static async Task<TlsOnlyServe> StartAsync(string data, int plainPort, IDictionary<string, string> env)
        {
            var serve = new TlsOnlyServe(data, plainPort, env);
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                var ports = Task.WhenAll(serve._tls.Task, serve._http.Task);
                while (!ports.IsCompleted)
                {
                    Assert.False(serve._process.HasExited, "serve exited:\n" + serve.Output);
                    Assert.True(DateTime.UtcNow < deadline, "serve did not report its TLS and HTTP ports:\n" + serve.Output);
                    await Task.WhenAny(ports, Task.Delay(50));
                }
                serve.TlsPort = serve._tls.Task.Result;
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                while (true)
                {
                    try
                    {
                        using var r = await http.GetAsync(new Uri($"http://127.0.0.1:{serve._http.Task.Result}/healthz"));
                        if ((int)r.StatusCode == 200)
                        {
                            return serve;
                        }
                    }
                    catch (HttpRequestException)
                    {
                    }
                    Assert.True(DateTime.UtcNow < deadline, "/healthz never answered 200:\n" + serve.Output);
                    await Task.Delay(50);
                }
            }
            catch
            {
                await serve.DisposeAsync();
                throw;
            }
        }

        public ValueTask DisposeAsync()
        {
            _process.Dispose();
            return ValueTask.CompletedTask;
        }

        [GeneratedRegex(@"DICOM listener \S+ on TLS port (\d+) only")]
        private static partial Regex TlsLine();

        [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
        private static partial Regex HttpLine();
    }
}
