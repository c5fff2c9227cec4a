using System.Globalization;
using System.Net;
using System.Text.Json;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>DESIGN.md "Results and delivery" through a real `remotedx serve`: a clinic's study is scored, its SR and heatmap
/// images are written and sent by RemoteDx's own SCU to the clinic's PACS (DCMTK storescp), every object dciodvfy-clean;
/// after review the verified SR follows; a destination that is down gets everything once it comes up.</summary>
public sealed class ResultsDeliveryTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "correct horse 1";
    private readonly string _root = TempDirectory.ForTestRun("results");

    public void Dispose() => TempDirectory.TryDelete(_root);

    internal static Dictionary<string, string> Env(int pacsPort, string pacsAe = "PACS_A") => new(StringComparer.Ordinal)
    {
        ["RemoteDx__Worklist__QuietPeriodSeconds"] = "1",
        ["RemoteDx__Results__PollSeconds"] = "0.2",
        ["RemoteDx__Results__RetryBaseSeconds"] = "0.5",
        ["RemoteDx__Results__RetryMaxSeconds"] = "1",
        ["RemoteDx__Results__TimeoutSeconds"] = "5",
        ["RemoteDx__Results__Destinations__0__Clinic"] = "CLINIC_A",
        ["RemoteDx__Results__Destinations__0__AeTitle"] = pacsAe,
        ["RemoteDx__Results__Destinations__0__Host"] = "127.0.0.1",
        ["RemoteDx__Results__Destinations__0__Port"] = pacsPort.ToString(CultureInfo.InvariantCulture),
    };

    private static ChildProcess StartPacs(int port, string folder)
    {
        Directory.CreateDirectory(folder);
        return ChildProcess.Start(Tool.Require("storescp"), ["-aet", "PACS_A", "-od", folder, port.ToString(CultureInfo.InvariantCulture)]);
    }

    internal static async Task SendAsync(RemoteDxServe serve, string sample)
    {
        var path = Path.Combine(Repo.Root, "sample-dicom", sample);
        // storescu proposes one compressed transfer syntax per run and cannot decompress one itself.
        string[] propose = DicomFile.Open(path).TransferSyntax.Uid switch
        {
            "1.2.840.10008.1.2.4.70" => ["-xs"],
            "1.2.840.10008.1.2.5" => ["-xr"],
            _ => [],
        };
        using var send = ChildProcess.Start(Tool.Require("storescu"), ["-aet", "CLINIC_A", "-aec", "REMOTEDX", .. propose, "127.0.0.1",
            serve.DicomPort.ToString(CultureInfo.InvariantCulture), path]);
        await send.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(send.ExitCode == 0, $"storescu failed:\n{send.Output}");
    }

    /// <summary>What storescp wrote, read back once complete.</summary>
    private static List<(string Path, Dataset Dataset)> Received(string folder)
    {
        var files = new List<(string, Dataset)>();
        foreach (var f in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
        {
            try
            {
                files.Add((f, DicomFile.Open(f).Dataset));
            }
            catch (Exception ex) when (ex is DicomException or IOException)
            {
                // still being written
            }
        }
        return files;
    }

    internal static async Task<List<(string Path, Dataset Dataset)>> WaitForAsync(string folder, Func<List<(string Path, Dataset Dataset)>, bool> done,
        TimeSpan timeout, Func<string> context)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var files = Received(folder);
            if (done(files))
            {
                return files;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the PACS did not get what was expected in {timeout.TotalSeconds:0} s; it has:\n" +
                string.Join("\n", files.Select(f => $"{Path.GetFileName(f.Path)} {f.Dataset.GetString(Tag.Modality)} {f.Dataset.GetString(Tag.VerificationFlag)}")) +
                "\n" + context());
            await Task.Delay(200);
        }
    }

    internal static bool IsSr(Dataset d, string flag) => d.GetString(Tag.Modality) == "SR" && d.GetString(Tag.VerificationFlag) == flag;

    [Fact]
    public async Task A_clinic_study_s_SR_and_heatmap_images_reach_its_PACS_valid_and_the_verified_SR_follows_review()
    {
        var pacsPort = LoopbackPort.Free();
        var pacsFolder = Path.Combine(_root, "pacs");
        using var pacs = StartPacs(pacsPort, pacsFolder);
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await using var serve = await RemoteDxServe.StartAsync(data, Env(pacsPort));
        await SendAsync(serve, "clinic-a/pneumothorax-pa.dcm");
        var study = DicomFile.Open(Path.Combine(Repo.Root, "sample-dicom", "clinic-a/pneumothorax-pa.dcm")).Dataset.GetString(Tag.StudyInstanceUID)!;

        var files = await WaitForAsync(pacsFolder, f => f.Any(x => IsSr(x.Dataset, "UNVERIFIED")) && f.Any(x => x.Dataset.GetString(Tag.Modality) == "OT"),
            TimeSpan.FromSeconds(60), () => serve.Output + pacs.Output);
        foreach (var (path, ds) in files)
        {
            Assert.Equal(study, ds.GetString(Tag.StudyInstanceUID));
            Dciodvfy.AssertValid(path);
        }

        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        var detail = await api.GetJsonAsync($"api/studies/{study}");
        var resultSeries = detail.GetProperty("resultSeries").EnumerateArray().ToList();
        Assert.Contains(resultSeries, s => s.GetProperty("modality").GetString() == "SR");
        Assert.Contains(resultSeries, s => s.GetProperty("modality").GetString() == "OT");
        // Results are the hub's, not received images: no scoring job, not among the received series.
        Assert.Single(detail.GetProperty("series").EnumerateArray());
        Assert.Equal(1, detail.GetProperty("instances").GetInt32());
        var deliveries = await WaitDeliveredAsync(api, study);
        Assert.All(deliveries, d => Assert.Equal("PACS_A@127.0.0.1:" + pacsPort.ToString(CultureInfo.InvariantCulture), d.GetProperty("destination").GetString()));

        using (var reviewed = await api.PostAsync($"api/studies/{study}/reviewed"))
        {
            Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        }
        files = await WaitForAsync(pacsFolder, f => f.Any(x => IsSr(x.Dataset, "VERIFIED")), TimeSpan.FromSeconds(30), () => serve.Output);
        var verified = files.Single(x => IsSr(x.Dataset, "VERIFIED"));
        Dciodvfy.AssertValid(verified.Path);
        var observer = Assert.Single(verified.Dataset.GetSequence(Tag.VerifyingObserverSequence)!.Items);
        Assert.Equal("dr_lee", observer.GetString(Tag.VerifyingObserverName));
        var predecessor = Assert.Single(verified.Dataset.GetSequence(Tag.PredecessorDocumentsSequence)!.Items);
        Assert.Equal(study, predecessor.GetString(Tag.StudyInstanceUID));

        using var metrics = await api.Http.GetAsync("metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("remotedx_result_deliveries_total{outcome=\"sent\"}", text);
        output.WriteLine(string.Join("\n", text.Split('\n').Where(l => l.Contains("result_deliveries", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Results_for_a_PACS_that_is_down_are_retried_and_delivered_once_it_comes_up()
    {
        var pacsPort = LoopbackPort.Free();
        var pacsFolder = Path.Combine(_root, "pacs");
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await using var serve = await RemoteDxServe.StartAsync(data, Env(pacsPort));
        await SendAsync(serve, "clinic-a/normal-pa-1.dcm");
        var study = DicomFile.Open(Path.Combine(Repo.Root, "sample-dicom", "clinic-a/normal-pa-1.dcm")).Dataset.GetString(Tag.StudyInstanceUID)!;
        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        // The failure is visible on the study: attempts counted, the error kept, pending again between attempts (an
        // attempt counts when it starts, so a delivery seen with two attempts may still be "sending" its second).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var deliveries = (await api.GetJsonAsync($"api/studies/{study}")).GetProperty("deliveries").EnumerateArray().ToList();
            Assert.All(deliveries, d => Assert.Contains(d.GetProperty("status").GetString(), new[] { "pending", "sending" }));
            if (deliveries.Count > 0 && deliveries.All(d => d.GetProperty("attempts").GetInt32() >= 2 && d.GetProperty("status").GetString() == "pending"))
            {
                Assert.All(deliveries, d => Assert.False(string.IsNullOrEmpty(d.GetProperty("lastError").GetString())));
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "no failed delivery attempts:\n" + serve.Output);
            await Task.Delay(200);
        }

        using var pacs = StartPacs(pacsPort, pacsFolder);
        var files = await WaitForAsync(pacsFolder, f => f.Any(x => IsSr(x.Dataset, "UNVERIFIED")), TimeSpan.FromSeconds(30), () => serve.Output + pacs.Output);
        Dciodvfy.AssertValid(files.Single(x => IsSr(x.Dataset, "UNVERIFIED")).Path);
        await WaitDeliveredAsync(api, study);
    }

    [Fact]
    public async Task Orthanc_as_the_clinic_PACS_stores_every_result_object_RemoteDx_sends()
    {
        await using var orthanc = await OrthancPeer.StartAsync(remoteDxPort: 1);
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await using var serve = await RemoteDxServe.StartAsync(data, Env(orthanc.DicomPort, OrthancPeer.AeTitle));
        await SendAsync(serve, "clinic-a/pneumothorax-pa.dcm");
        var study = DicomFile.Open(Path.Combine(Repo.Root, "sample-dicom", "clinic-a/pneumothorax-pa.dcm")).Dataset.GetString(Tag.StudyInstanceUID)!;
        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        var deliveries = await WaitDeliveredAsync(api, study, TimeSpan.FromSeconds(60));
        Assert.Contains(deliveries, d => d.GetProperty("kind").GetString() == "sr");
        Assert.Contains(deliveries, d => d.GetProperty("kind").GetString() == "heatmap");
        foreach (var d in deliveries)
        {
            var sop = d.GetProperty("sopInstanceUid").GetString()!;
            var id = await orthanc.FindInstanceAsync(sop);
            Assert.True(id is not null, $"Orthanc does not have {sop}:\n{orthanc.Output}");
            var copy = Path.Combine(_root, sop + ".dcm");
            await File.WriteAllBytesAsync(copy, await orthanc.GetFileAsync(id));
            Assert.Equal(study, DicomFile.Open(copy).Dataset.GetString(Tag.StudyInstanceUID));
        }
    }

    internal static async Task<List<JsonElement>> WaitDeliveredAsync(ApiClient api, string study, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var deliveries = (await api.GetJsonAsync($"api/studies/{study}")).GetProperty("deliveries").EnumerateArray().ToList();
            if (deliveries.Count > 0 && deliveries.All(d => d.GetProperty("status").GetString() == "sent"))
            {
                return deliveries;
            }
            Assert.True(DateTime.UtcNow < deadline, "deliveries not all sent: " + string.Join("; ", deliveries));
            await Task.Delay(200);
        }
    }
}
