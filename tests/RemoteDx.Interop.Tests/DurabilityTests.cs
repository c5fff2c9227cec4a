using Xunit.Abstractions;
using RemoteDx.Dicom.IO;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>Tests that own their `remotedx serve` process: they kill it or start it with unusual settings.</summary>
public sealed class DurabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("durability");

    public void Dispose() => TempDirectory.TryDelete(_root);

    // Both durability modes: kill -9 keeps the page cache, so even deferred (acknowledged once in the OS) loses nothing.
    [Theory]
    [InlineData("full")]
    [InlineData("deferred")]
    public async Task An_acknowledged_instance_survives_kill_9(string durability)
    {
        var env = new Dictionary<string, string> { ["RemoteDx__Archive__Durability"] = durability };
        var source = Tool.PydicomTestFile("CT_small.dcm");
        var files = Path.Combine(_root, "files");
        Directory.CreateDirectory(files);
        var sopOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 200; i++)
        {
            var (path, sop) = Samples.Copy(source, files);
            sopOf[path] = sop;
        }
        var data = Path.Combine(_root, "data");

        var serve = await RemoteDxServe.StartAsync(data, env);
        var killedAfter = 0;
        ChildProcess send;
        await using (serve)
        {
            // Kill once the transfer is well under way (a fixed delay would race the client's start-up on a busy
            // machine): the 20th acknowledgement arrives, serve dies at once.
            var acknowledged = 0;
            var twentieth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            send = RemoteDxCli.StartSend(serve.DicomPort, sopOf.Keys.Order(StringComparer.Ordinal), "REMOTEDX");
            send.StdoutLine += line =>
            {
                if (line.StartsWith("OK ", StringComparison.Ordinal) && Interlocked.Increment(ref acknowledged) == 20)
                {
                    twentieth.TrySetResult();
                }
            };
            var done = send.WaitAsync(TimeSpan.FromSeconds(120));
            await Task.WhenAny(twentieth.Task, done);
            serve.KillHard();
            killedAfter = Volatile.Read(ref acknowledged);
        }
        RemoteDxCli.SendResult sent;
        using (send)
        {
            sent = new RemoteDxCli.SendResult(await send.WaitAsync(TimeSpan.FromSeconds(120)), send.Output);
        }
        var ok = sent.Ok;
        output.WriteLine($"serve killed after {killedAfter} acknowledgements seen; send: {ok.Count} OK, {sent.Failed.Count} failed");
        Assert.True(killedAfter >= 20, $"the transfer ended before serve was killed:\n{sent.Output}");
        Assert.True(ok.Count >= 20);

        // Restart on the same data: it must come up, and every acknowledged instance must be there.
        await using var restarted = await RemoteDxServe.StartAsync(data, env);
        Assert.Contains($"archive durability: {durability}", restarted.Output, StringComparison.Ordinal);
        var missing = new List<string>();
        foreach (var path in ok)
        {
            var sop = sopOf[path];
            var archived = Samples.ArchivePath(restarted.ArchiveRoot, path);
            if (!File.Exists(archived))
            {
                missing.Add($"{sop}: no archive file");
                continue;
            }
            var diffs = DatasetComparer.Differences(DicomReader.ReadFile(path).Dataset, DicomReader.ReadFile(archived).Dataset);
            if (diffs.Count > 0)
            {
                missing.Add($"{sop}: archived data set differs: {diffs[0]}");
            }
            if (IndexDatabase.Instances(restarted.DatabasePath, sop) != 1)
            {
                missing.Add($"{sop}: not indexed");
            }
            if (IndexDatabase.Jobs(restarted.DatabasePath, sop) < 1)
            {
                missing.Add($"{sop}: no job");
            }
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of {ok.Count} acknowledged instances lost after kill -9:\n  " + string.Join("\n  ", missing.Take(20)));
    }

    [Fact]
    public async Task A_resent_instance_that_was_archived_but_never_indexed_gets_its_index_row_and_job()
    {
        // The crash window between the rename into the archive and the index commit: the file is there, the peer got
        // no 0000 and sends again with identical bytes. "Identical changes nothing" must not leave it unscored.
        var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), Directory.CreateDirectory(Path.Combine(_root, "files")).FullName);
        var data = Path.Combine(_root, "data");
        await using (var serve = await RemoteDxServe.StartAsync(data))
        {
            var first = await RemoteDxCli.SendAsync(serve.DicomPort, [file], "REMOTEDX");
            Assert.Single(first.Ok);
        }
        var db = Path.Combine(data, "remotedx.db");
        IndexDatabase.Count(db, "DELETE FROM jobs WHERE sop_instance_uid = $sop", ("$sop", sop));
        IndexDatabase.Count(db, "DELETE FROM instances WHERE sop_instance_uid = $sop", ("$sop", sop));
        Assert.Equal(0, IndexDatabase.Jobs(db, sop));

        await using (var serve = await RemoteDxServe.StartAsync(data))
        {
            var again = await RemoteDxCli.SendAsync(serve.DicomPort, [file], "REMOTEDX");
            Assert.Single(again.Ok);
        }
        Assert.Equal(1, IndexDatabase.Instances(db, sop));
        Assert.Equal(1, IndexDatabase.Jobs(db, sop));
    }

    [Fact]
    public async Task Associations_are_rejected_transient_when_free_space_is_below_the_reserve()
    {
        var data = Path.Combine(_root, "data");
        await using var serve = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
        {
            ["RemoteDx__Dicom__FreeSpaceReserveMB"] = "100000000", // 100 TB: more than any test disk
        }, expectUnhealthy: true);
        var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), _root);
        using (var http = new HttpClient { BaseAddress = serve.BaseUrl })
        {
            using var health = await http.GetAsync("healthz");
            Assert.Equal(503, (int)health.StatusCode);
            Assert.Contains("free space below FreeSpaceReserveMB", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var result = await RemoteDxCli.SendAsync(serve.DicomPort, [file], "REMOTEDX");
        Assert.Equal(1, result.ExitCode);
        var failed = Assert.Single(result.Failed);
        Assert.Contains("association failed", failed, StringComparison.Ordinal);
        Assert.Contains("rejected", failed, StringComparison.Ordinal);
        Assert.Contains("Transient", failed, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(serve.ArchiveRoot, "*.dcm", SearchOption.AllDirectories));
        Assert.Equal(0, IndexDatabase.Instances(serve.DatabasePath, sop));
    }
}
