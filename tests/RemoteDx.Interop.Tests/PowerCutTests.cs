using System.Diagnostics;
using System.Globalization;
using RemoteDx.Dicom.IO;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>Durability against a power cut, not only kill -9 (which keeps the page cache and so cannot tell a missing
/// sync from a present one): `remotedx serve` keeps its data folder on the power-cut simulator
/// (tests/tools/powercut_fs.py), storescu sends, serve is killed and everything not synced is dropped.</summary>
public sealed class PowerCutTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("powercut");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task The_simulator_drops_data_and_names_that_were_not_synced_and_keeps_what_was()
    {
        await using var fs = await PowerCutFileSystem.StartAsync(_root);
        var dir = Directory.CreateDirectory(Path.Combine(fs.MountPoint, "d")).FullName;
        var synced = Path.Combine(dir, "synced");
        var unsynced = Path.Combine(dir, "unsynced");
        var nameNotSynced = Path.Combine(dir, "name-not-synced");
        WriteFile(synced, "kept", sync: true);
        WriteFile(unsynced, "lost", sync: false);
        RemoteDx.Core.Archive.OsFileSync.Instance.SyncDirectory(fs.MountPoint);
        RemoteDx.Core.Archive.OsFileSync.Instance.SyncDirectory(dir);
        WriteFile(nameNotSynced, "synced data, folder never synced", sync: true);

        await fs.CutAsync();

        var d = Path.Combine(fs.Backing, "d");
        Assert.Equal("kept", File.ReadAllText(Path.Combine(d, "synced")));
        Assert.Equal("", File.ReadAllText(Path.Combine(d, "unsynced"))); // the name was synced, the data was not
        Assert.False(File.Exists(Path.Combine(d, "name-not-synced")));
        // And it mounts again on what survived.
        await fs.MountAsync();
        Assert.Equal("kept", File.ReadAllText(Path.Combine(fs.MountPoint, "d", "synced")));
    }

    [Fact]
    public async Task Full_durability_keeps_every_acknowledged_instance_and_its_index_row_through_power_cuts()
    {
        var (acked, lostAcked) = await CutRepeatedlyAsync("full", cuts: 2);
        Assert.True(acked > 0);
        Assert.True(lostAcked.Count == 0, $"{lostAcked.Count} acknowledged instances lost at a power cut in full mode:\n  " + string.Join("\n  ", lostAcked.Take(10)));
    }

    [Fact]
    public async Task Deferred_durability_loses_at_most_the_last_flush_window_at_a_power_cut_and_nothing_is_corrupt()
    {
        var (acked, lostAcked) = await CutRepeatedlyAsync("deferred", cuts: 2);
        Assert.True(acked > 0);
        // Losses are allowed only among instances acknowledged shortly before the cut: DeferredFlushMilliseconds (200)
        // plus the flush itself on this slow user-space file system, with a generous margin. Each round's first batch is
        // acknowledged longer than that before its cut, so it must survive whole.
        var tooOld = lostAcked.Where(l => l.AckedBeforeCut > Margin).ToList();
        Assert.True(tooOld.Count == 0, "instances acknowledged long before the cut were lost:\n  " + string.Join("\n  ", tooOld.Take(10)));
    }

    /// <summary>Deferred mode: what may be lost, at most (DeferredFlushMilliseconds is 200).</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    /// <summary>Between the first batch and the second: longer than <see cref="Margin"/>.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2.5);

    private sealed record Lost(string Sop, TimeSpan AckedBeforeCut, string Why)
    {
        public override string ToString() => $"{Sop}: {Why} (acknowledged {AckedBeforeCut.TotalMilliseconds:0} ms before the cut)";
    }

    /// <summary>Rounds of: serve on the simulator; a first batch sent and acknowledged; a pause longer than the deferred
    /// window; a second batch cut (kill -9 + power cut) after a random number of acknowledgements; restart on what
    /// survived, which must start with every index row's file readable. Returns the acknowledged count and the
    /// acknowledged instances missing after their cut.</summary>
    private async Task<(int Acked, List<Lost> Lost)> CutRepeatedlyAsync(string durability, int cuts)
    {
        var storescu = Tool.Require("storescu");
        var random = new Random(Environment.TickCount);
        await using var fs = await PowerCutFileSystem.StartAsync(_root);
        // The data folder exists before serve starts, as an operator would make it (and durably: its parent is synced).
        var data = Directory.CreateDirectory(Path.Combine(fs.MountPoint, "data")).FullName;
        RemoteDx.Core.Archive.OsFileSync.Instance.SyncDirectory(fs.MountPoint);
        var env = new Dictionary<string, string> { ["RemoteDx__Archive__Durability"] = durability, ["RemoteDx__Dicom__FreeSpaceReserveMB"] = "0" };
        var source = Tool.PydicomTestFile("CT_small.dcm");
        var ackedTotal = 0;
        var lost = new List<Lost>();
        for (var round = 0; round < cuts; round++)
        {
            var files = Directory.CreateDirectory(Path.Combine(_root, $"files-{round}")).FullName;
            var first = Enumerable.Range(0, 5).Select(_ => Samples.Copy(source, files).Path).Order(StringComparer.Ordinal).ToList();
            var second = Enumerable.Range(0, 40).Select(_ => Samples.Copy(source, Directory.CreateDirectory(Path.Combine(files, "b")).FullName).Path)
                .Order(StringComparer.Ordinal).ToList();
            var acks = new List<(string Path, long At)>();
            var clock = Stopwatch.StartNew();
            long cutAt;
            var serve = await RemoteDxServe.StartAsync(data, env);
            await using (serve)
            {
                Assert.Contains($"archive durability: {durability}", serve.Output, StringComparison.Ordinal);
                var port = serve.DicomPort.ToString(CultureInfo.InvariantCulture);
                using (var one = ChildProcess.Start(storescu, ["-v", "-aet", "CLINIC_A", "-aec", "REMOTEDX", "127.0.0.1", port, .. first]))
                {
                    Assert.Equal(0, await one.WaitAsync(TimeSpan.FromSeconds(120)));
                    acks.AddRange(StorescuLog.Acknowledged(one.Output).Select(p => (p, clock.ElapsedMilliseconds)));
                }
                Assert.Equal(first.Count, acks.Count);
                await Task.Delay(Pause); // many deferred flush intervals

                var cutAfter = random.Next(1, 15);
                using var two = ChildProcess.Start(storescu, ["-v", "-aet", "CLINIC_A", "-aec", "REMOTEDX", "127.0.0.1", port, .. second]);
                var seen = 0;
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (seen < cutAfter && !two.HasExited && DateTime.UtcNow < deadline)
                {
                    var now = StorescuLog.Acknowledged(two.Output);
                    for (; seen < now.Count; seen++)
                    {
                        acks.Add((now[seen], clock.ElapsedMilliseconds));
                    }
                    await Task.Delay(5);
                }
                serve.KillHard();
                cutAt = clock.ElapsedMilliseconds;
                await two.WaitAsync(TimeSpan.FromSeconds(120));
                foreach (var p in StorescuLog.Acknowledged(two.Output).Skip(seen))
                {
                    acks.Add((p, cutAt)); // seen by the client just as serve died
                }
            }
            await fs.CutAsync();
            output.WriteLine($"{durability} round {round}: cut after {acks.Count} acknowledgements; {fs.LastCut}");
            await fs.MountAsync();

            // Restart on what survived: it must start, and no index row may lack a readable file.
            await using (var restarted = await RemoteDxServe.StartAsync(data, env))
            {
                foreach (var (sop, path) in IndexDatabase.InstancePaths(restarted.DatabasePath))
                {
                    Assert.True(File.Exists(path), $"{durability}: index row {sop} has no file after the cut");
                    var ds = DicomReader.ReadFile(path).Dataset;
                    Assert.Equal(sop, ds.GetString(RemoteDx.Dicom.Tag.SOPInstanceUID));
                }
                foreach (var (path, at) in acks)
                {
                    var sop = Samples.Uids(path).Sop;
                    var archived = Samples.ArchivePath(restarted.ArchiveRoot, path);
                    string? why = null;
                    if (!File.Exists(archived))
                    {
                        why = "no archive file";
                    }
                    else if (DatasetComparer.Differences(DicomReader.ReadFile(path).Dataset, DicomReader.ReadFile(archived).Dataset) is { Count: > 0 } diffs)
                    {
                        why = "archived data set differs: " + diffs[0];
                    }
                    else if (IndexDatabase.Instances(restarted.DatabasePath, sop) != 1)
                    {
                        why = "not indexed";
                    }
                    if (why is not null)
                    {
                        lost.Add(new Lost(sop, TimeSpan.FromMilliseconds(cutAt - at), why));
                    }
                }
            }
            ackedTotal += acks.Count;
            output.WriteLine($"{durability} round {round}: {lost.Count} acknowledged instances lost so far");
        }
        return (ackedTotal, lost);
    }

    private static void WriteFile(string path, string text, bool sync)
    {
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        f.Write(System.Text.Encoding.ASCII.GetBytes(text));
        if (sync)
        {
            f.Flush(flushToDisk: true);
        }
    }
}
