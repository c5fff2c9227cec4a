using System.Globalization;
using System.Net;
using System.Text.Json;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>The pipeline's promise end to end, as a clinic and a radiologist meet it: `remotedx serve` with its
/// defaults (SQLite, the bundled model) receives sample-dicom from DCMTK storescu, clinic by clinic, and the
/// worklist lists every study scored and ranked.</summary>
public sealed class SampleDicomEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "correct horse 1";
    private readonly string _root = TempDirectory.ForTestRun("samples");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task Serve_with_defaults_scores_and_ranks_every_sample_study_from_storescu_abnormal_above_normal_and_pneumothorax_STAT()
    {
        var storescu = Tool.Require("storescu");
        var samples = Path.Combine(Repo.Root, "sample-dicom");
        var truth = File.ReadAllLines(Path.Combine(samples, "labels.csv")).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(c => c[0], c => c.Skip(1).Any(v => v == "1"));
        var header = File.ReadLines(Path.Combine(samples, "labels.csv")).First().Split(',');
        var pneumothorax = Array.IndexOf(header, "pneumothorax");
        var studyAbnormal = new Dictionary<string, bool>();
        var studyPneumothorax = new HashSet<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(samples, "labels.csv")).Skip(1))
        {
            var cells = line.Split(',');
            var uid = DicomFile.Open(Path.Combine(samples, cells[0])).Dataset.GetString(Tag.StudyInstanceUID)!;
            studyAbnormal[uid] = (studyAbnormal.TryGetValue(uid, out var a) && a) || truth[cells[0]];
            if (cells[pneumothorax] == "1")
            {
                studyPneumothorax.Add(uid);
            }
        }

        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await using var serve = await RemoteDxServe.StartAsync(data);
        // storescu proposes one compressed transfer syntax per run and cannot decompress JPEG or RLE itself, so each
        // clinic's files go in one run per transfer syntax, as a site with mixed files would send them.
        foreach (var clinic in new[] { "a", "b", "c" })
        {
            var groups = Directory.GetFiles(Path.Combine(samples, "clinic-" + clinic), "*.dcm", SearchOption.AllDirectories)
                .GroupBy(f => DicomFile.Open(f).TransferSyntax.Uid);
            foreach (var group in groups)
            {
                string[] propose = group.Key switch
                {
                    "1.2.840.10008.1.2.4.70" => ["-xs"],
                    "1.2.840.10008.1.2.5" => ["-xr"],
                    _ => [],
                };
                using var send = ChildProcess.Start(storescu, ["-aet", "CLINIC_" + clinic.ToUpperInvariant(), "-aec", "REMOTEDX", .. propose,
                    "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), .. group.Order(StringComparer.Ordinal)]);
                await send.WaitAsync(TimeSpan.FromSeconds(120));
                Assert.True(send.ExitCode == 0, $"storescu for clinic {clinic} ({group.Key}) failed:\n{send.Output}");
            }
        }

        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        JsonElement[] items = [];
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            items = (await api.GetJsonAsync("api/worklist?pageSize=100")).GetProperty("items").EnumerateArray().ToArray();
            if (items.Length == studyAbnormal.Count && items.All(i => i.GetProperty("status").GetString() != "scoring"))
            {
                break;
            }
            await Task.Delay(200);
        }
        output.WriteLine(string.Join("\n", items.Select(i => $"{i.GetProperty("studyInstanceUid")} stat={i.GetProperty("stat")} priority={i.GetProperty("priority")} status={i.GetProperty("status")}")));
        Assert.Equal(studyAbnormal.Count, items.Length);
        Assert.All(items, i => Assert.Equal("new", i.GetProperty("status").GetString()));
        var order = items.Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList();
        var lastAbnormal = order.FindLastIndex(u => studyAbnormal[u]);
        var firstNormal = order.FindIndex(u => !studyAbnormal[u]);
        Assert.True(lastAbnormal < firstNormal, "an abnormal study is ranked below a normal one:\n" + string.Join("\n", order.Select(u => $"{u} abnormal={studyAbnormal[u]}")));
        // The critical finding puts its study in the STAT tier, at the top.
        Assert.Contains(order[0], studyPneumothorax);
        Assert.True(items[0].GetProperty("stat").GetBoolean());
        Assert.All(items.Where(i => !studyPneumothorax.Contains(i.GetProperty("studyInstanceUid").GetString()!)),
            i => Assert.False(i.GetProperty("stat").GetBoolean()));
        // The hand study: listed, no applicable model, no findings.
        var hand = DicomFile.Open(Path.Combine(samples, "clinic-b/hand.dcm")).Dataset.GetString(Tag.StudyInstanceUID)!;
        var handItem = items.Single(i => i.GetProperty("studyInstanceUid").GetString() == hand);
        Assert.Empty(handItem.GetProperty("findings").EnumerateArray());
        Assert.Equal(0, handItem.GetProperty("priority").GetDouble());
        // The two-image study arrived and was scored whole.
        var twoImage = items.Single(i => i.GetProperty("instances").GetInt32() == 2);
        Assert.Equal(2, twoImage.GetProperty("scored").GetInt32());
    }
}
