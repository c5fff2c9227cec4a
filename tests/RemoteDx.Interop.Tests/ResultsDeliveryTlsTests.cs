using System.Globalization;
using System.Net;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;
using static RemoteDx.Interop.Tests.ResultsDeliveryTests;

namespace RemoteDx.Interop.Tests;

/// <summary>Issue 16 item 4 through a real `remotedx serve`: a result destination with Tls, TrustedCa, ClientCertificate and
/// ClientKey delivers to a DCMTK storescp that requires a client certificate (PS3.15 B.9); a destination whose TrustedCa did
/// not sign the PACS certificate never delivers and says why.</summary>
public sealed class ResultsDeliveryTlsTests : IDisposable
{
    private const string Password = "correct horse 1";
    private const string Sample = "clinic-a/pneumothorax-pa.dcm";
    private readonly string _root = TempDirectory.ForTestRun("results-tls");
    private readonly TestCertificateAuthority _pacsCa;
    private readonly (string Certificate, string Key) _pacs;
    private readonly (string Certificate, string Key) _hub;

    private readonly ITestOutputHelper _output;

    public ResultsDeliveryTlsTests(ITestOutputHelper output)
    {
        _output = output;
        _pacsCa = TestCertificateAuthority.Create(_root, "clinic-a-ca");
        _pacs = _pacsCa.IssueServer("pacs");
        _hub = _pacsCa.IssueClient("hub", "/CN=remotedx-hub/O=RemoteDx");
    }

    public void Dispose() => TempDirectory.TryDelete(_root);

    /// <summary>storescp over TLS only, trusting the clinic CA and refusing a peer without a certificate.</summary>
    private ChildProcess StartTlsPacs(int port, string folder)
    {
        Directory.CreateDirectory(folder);
        return ChildProcess.Start(Tool.Require("storescp"), ["-aet", "PACS_A", "-od", folder, "+tls", _pacs.Key, _pacs.Certificate,
            "+cf", _pacsCa.Certificate, "--require-peer-cert", port.ToString(CultureInfo.InvariantCulture)]);
    }

    private Dictionary<string, string> TlsEnv(int pacsPort, string trustedCa)
    {
        var env = Env(pacsPort);
        env["RemoteDx__Results__Destinations__0__Tls"] = "true";
        env["RemoteDx__Results__Destinations__0__TrustedCa"] = trustedCa;
        env["RemoteDx__Results__Destinations__0__ClientCertificate"] = _hub.Certificate;
        env["RemoteDx__Results__Destinations__0__ClientKey"] = _hub.Key;
        env["RemoteDx__Results__Destinations__0__ServerName"] = "localhost";
        return env;
    }

    private static string StudyOf(string sample) =>
        DicomFile.Open(Path.Combine(Repo.Root, "sample-dicom", sample)).Dataset.GetString(Tag.StudyInstanceUID)!;

    [Fact]
    public async Task Results_reach_a_PACS_that_requires_a_client_certificate_over_TLS_trusting_only_the_clinic_CA()
    {
        var pacsPort = LoopbackPort.Free();
        var pacsFolder = Path.Combine(_root, "pacs");
        using var pacs = StartTlsPacs(pacsPort, pacsFolder);
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await using var serve = await RemoteDxServe.StartAsync(data, TlsEnv(pacsPort, _pacsCa.Certificate));
        await SendAsync(serve, Sample);

        var files = await WaitForAsync(pacsFolder, f => f.Any(x => IsSr(x.Dataset, "UNVERIFIED")) && f.Any(x => x.Dataset.GetString(Tag.Modality) == "OT"),
            TimeSpan.FromSeconds(60), () => serve.Output + pacs.Output);
        Assert.All(files, f => Assert.Equal(StudyOf(Sample), f.Dataset.GetString(Tag.StudyInstanceUID)));
        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        await WaitDeliveredAsync(api, StudyOf(Sample));
    }

    [Fact]
    public async Task A_PACS_certificate_not_signed_by_the_destination_s_TrustedCa_gets_nothing_and_the_delivery_shows_the_TLS_error()
    {
        var otherCa = TestCertificateAuthority.Create(_root, "other-ca");
        var pacsPort = LoopbackPort.Free();
        var pacsFolder = Path.Combine(_root, "pacs");
        using var pacs = StartTlsPacs(pacsPort, pacsFolder);
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await using var serve = await RemoteDxServe.StartAsync(data, TlsEnv(pacsPort, otherCa.Certificate));
        await SendAsync(serve, Sample);
        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var deliveries = (await api.GetJsonAsync($"api/studies/{StudyOf(Sample)}")).GetProperty("deliveries").EnumerateArray().ToList();
            if (deliveries.Count > 0 && deliveries.All(d => d.GetProperty("attempts").GetInt32() >= 2))
            {
                _output.WriteLine(deliveries[0].GetProperty("lastError").GetString());
                Assert.All(deliveries, d => Assert.NotEqual("sent", d.GetProperty("status").GetString()));
                Assert.All(deliveries, d => Assert.StartsWith("association failed: TLS handshake", d.GetProperty("lastError").GetString(), StringComparison.Ordinal));
                Assert.All(deliveries, d => Assert.Contains("certificate", d.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase));
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "no failed delivery attempts:\n" + serve.Output);
            await Task.Delay(200);
        }
        // Never in clear, never to an untrusted peer: the PACS stored nothing.
        Assert.Empty(Directory.GetFiles(pacsFolder));
    }
}
