using System.Globalization;
using System.Net;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>The pipeline's restart promise (DESIGN.md durability rule) with DCMTK storescu and SIGKILL.</summary>
public sealed class PipelineRestartTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "correct horse 1";
    private readonly string _root = TempDirectory.ForTestRun("restart");

    public void Dispose() => TempDirectory.TryDelete(_root);

    // Both durability modes: kill -9 keeps the page cache, so even deferred (acknowledged once in the OS) loses nothing.
    [Theory]
    [InlineData("full")]
    [InlineData("deferred")]
    public async Task After_kill_9_during_a_storescu_send_every_acknowledged_instance_is_archived_indexed_and_scored_and_no_review_is_lost(string durability)
    {
        var storescu = Tool.Require("storescu");
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        // A study and series of its own: it is sent by another AE than the 150 below, and a series belongs to its study's clinic.
        var (reviewedFile, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), Directory.CreateDirectory(Path.Combine(_root, "first")).FullName, ds =>
        {
            ds.SetString(RemoteDx.Dicom.Tag.StudyInstanceUID, RemoteDx.Dicom.VR.UI, Samples.NewUid());
            ds.SetString(RemoteDx.Dicom.Tag.SeriesInstanceUID, RemoteDx.Dicom.VR.UI, Samples.NewUid());
        });
        var reviewedStudy = Samples.Uids(reviewedFile).Study;
        var paths = Enumerable.Range(0, 150).Select(_ => Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files).Path).Order(StringComparer.Ordinal).ToList();

        // Scoring runs before and after the crash with the same test model, so a job finished before the kill and one
        // finished after the restart both leave the model's findings.
        var models = Path.GetDirectoryName(TestModels.Make(Path.Combine(_root, "models")))!;
        var env = new Dictionary<string, string> { ["RemoteDx__Inference__ModelsDirectory"] = models, ["RemoteDx__Archive__Durability"] = durability };
        var serve = await RemoteDxServe.StartAsync(data, env);
        ChildProcess send;
        await using (serve)
        {
            // A study reviewed before the crash.
            Assert.Single((await RemoteDxCli.SendAsync(serve.DicomPort, [reviewedFile], "REMOTEDX")).Ok);
            using (var api = await LoginAsync(serve))
            {
                using var comment = await api.PostAsync($"api/studies/{reviewedStudy}/comments", new { text = "seen before the crash" });
                Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
                using var reviewed = await api.PostAsync($"api/studies/{reviewedStudy}/reviewed");
                Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
            }

            // kill -9 once the transfer is well under way: the 20th success response has arrived.
            send = ChildProcess.Start(storescu, ["-v", "-aet", "CLINIC_A", "-aec", "REMOTEDX", "127.0.0.1",
                serve.DicomPort.ToString(CultureInfo.InvariantCulture), .. paths]);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (CountSuccess(send.Output) < 20 && !send.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            serve.KillHard();
        }
        using (send)
        {
            await send.WaitAsync(TimeSpan.FromSeconds(120));
        }
        var acknowledged = StorescuLog.Acknowledged(send.Output);
        output.WriteLine($"{acknowledged.Count} of {paths.Count} acknowledged before kill -9");
        Assert.True(acknowledged.Count >= 20, $"storescu saw fewer than 20 successes:\n{send.Output}");

        // Restarted with scoring workers and a model: every acknowledged instance's job runs to 'done' with findings.
        await using var restarted = await RemoteDxServe.StartAsync(data, env);
        var lost = new List<string>();
        foreach (var path in acknowledged)
        {
            var (_, _, sop) = Samples.Uids(path);
            if (!File.Exists(Samples.ArchivePath(restarted.ArchiveRoot, path)))
            {
                lost.Add($"{sop}: no archive file");
            }
            if (IndexDatabase.Instances(restarted.DatabasePath, sop) != 1)
            {
                lost.Add($"{sop}: not indexed");
            }
            if (IndexDatabase.Jobs(restarted.DatabasePath, sop) != 1)
            {
                lost.Add($"{sop}: not exactly one scoring job");
            }
        }
        Assert.True(lost.Count == 0, $"{lost.Count} problems after kill -9:\n  " + string.Join("\n  ", lost.Take(20)));
        var scoredBy = DateTime.UtcNow.AddSeconds(180);
        long done = 0;
        while (DateTime.UtcNow < scoredBy)
        {
            done = IndexDatabase.Count(restarted.DatabasePath, "SELECT count(*) FROM jobs WHERE state = 'done'");
            if (done >= IndexDatabase.Count(restarted.DatabasePath, "SELECT count(*) FROM jobs"))
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(IndexDatabase.Count(restarted.DatabasePath, "SELECT count(*) FROM jobs"), done);
        foreach (var path in acknowledged)
        {
            var (_, _, sop) = Samples.Uids(path);
            // The test network has three labels: one finding row each.
            Assert.Equal(3, IndexDatabase.Count(restarted.DatabasePath, "SELECT count(*) FROM findings WHERE sop_instance_uid = $sop", ("$sop", sop)));
        }

        using var after = await LoginAsync(restarted);
        var study = await after.GetJsonAsync($"api/studies/{reviewedStudy}");
        Assert.Equal("dr_lee", study.GetProperty("reviewedBy").GetString());
        Assert.Equal("seen before the crash", Assert.Single(study.GetProperty("comments").EnumerateArray()).GetProperty("text").GetString());
        var worklist = await after.GetJsonAsync("api/worklist?pageSize=500");
        Assert.Contains(worklist.GetProperty("items").EnumerateArray(), i => i.GetProperty("studyInstanceUid").GetString() == Samples.Uids(paths[0]).Study);
    }

    private static async Task<ApiClient> LoginAsync(RemoteDxServe serve)
    {
        var c = new ApiClient(serve.BaseUrl);
        using var r = await c.LoginAsync("dr_lee", Password);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return c;
    }

    private static int CountSuccess(string log) =>
        log.Split('\n').Count(l => l.Contains("Received Store Response (Success)", StringComparison.Ordinal));
}
