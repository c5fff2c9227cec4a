using System.Globalization;
using System.Net;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>Issue 14 item 6, "database full": the SQLite index alone on a small tmpfs, the archive on the normal disk.
/// Senders get A700 (out of resources, retried later) once the database cannot grow, never 0110 or an A-ABORT; within a
/// health probe (2 s) the monitor's write probe fails too, `/healthz` answers 503 with the reason and new associations
/// are rejected transient (PS3.8 7.1.1.9: the sender retries later; nothing was acknowledged, so nothing is lost). Every
/// instance acknowledged 0000 is in the index; when space returns, `/healthz` is 200 again, stores succeed and the audit
/// rows kept in audit-pending reach the database.</summary>
public sealed class DatabaseFullTests(ITestOutputHelper output) : IDisposable
{
    // Free space left on the database volume once migrations have run: a few dozen C-STOREs' worth of WAL pages.
    private const long HeadroomBytes = 1024 * 1024;
    private const int MaxInstances = 400;

    private enum Outcome
    {
        Success,
        OutOfResources,
        RejectedTransient,
    }

    private readonly string _root = TempDirectory.ForTestRun("dbfull");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task A_full_SQLite_volume_answers_A700_then_rejects_associations_with_healthz_503_loses_no_acknowledged_instance_and_recovers_when_space_returns()
    {
        var dbDir = Directory.CreateDirectory(Path.Combine(_root, "dbfs")).FullName;
        var database = Path.Combine(dbDir, "remotedx.db");
        Tool.RunOk("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dbDir);
        try
        {
            // No free-space reserve on the database volume: only a failed write can tell the monitor it is full.
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
            {
                ["RemoteDx__Database__Provider"] = "sqlite",
                ["RemoteDx__Database__ConnectionString"] = database,
                ["RemoteDx__Database__FreeSpaceReserveMB"] = "0",
            });
            using var http = new HttpClient { BaseAddress = serve.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };

            // Shrink the volume to what migrations left plus a little headroom (tmpfs counts whole pages).
            var used = Directory.GetFiles(dbDir).Sum(f => new FileInfo(f).Length);
            var size = (used + HeadroomBytes + 4095) / 4096 * 4096;
            output.WriteLine($"database files after start-up: {used} bytes; tmpfs size {size}");
            Tool.RunOk("mount", "-o", $"remount,size={size.ToString(CultureInfo.InvariantCulture)}", dbDir);

            var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
            var acknowledged = new List<string>();
            var refused = 0;
            var rejected = 0;
            for (var i = 0; i < MaxInstances && rejected < 2; i++)
            {
                var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
                switch (await StoreAsync(serve, "DBFULL", file))
                {
                    case Outcome.Success:
                        acknowledged.Add(sop);
                        break;
                    case Outcome.OutOfResources:
                        if (refused++ == 0)
                        {
                            output.WriteLine($"first A700 after {acknowledged.Count} acknowledged instances");
                        }
                        break;
                    case Outcome.RejectedTransient:
                        if (rejected++ == 0)
                        {
                            output.WriteLine($"first rejected association after {acknowledged.Count} acknowledged instances and {refused} A700");
                        }
                        break;
                }
                File.Delete(file);
            }
            Assert.True(rejected > 0, $"no association rejected after {MaxInstances} instances ({refused} A700): the health monitor never noticed\n{serve.Output}");
            if (refused > 0)
            {
                Assert.Contains("database unavailable", serve.Output, StringComparison.Ordinal);
            }
            Assert.NotEmpty(acknowledged);

            // A full SQLite database still answers reads (`SELECT 1` passes); the write probe does not.
            using (var r = await http.GetAsync("healthz"))
            {
                var body = await r.Content.ReadAsStringAsync();
                output.WriteLine($"/healthz while the database is full: {(int)r.StatusCode} {body}");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
                Assert.Contains("SQLITE_FULL", body, StringComparison.Ordinal);
            }
            Assert.True((await http.GetAsync("livez")).IsSuccessStatusCode, "/livez must stay 200 while the process runs");
            var spooled = Path.Combine(serve.DataDirectory, "audit-pending", "associations.jsonl");
            output.WriteLine($"audit-pending while full: {(File.Exists(spooled) ? File.ReadAllLines(spooled).Length : 0)} rows");

            Tool.RunOk("mount", "-o", "remount,size=8m", dbDir);
            await WaitForHealthAsync(http, HttpStatusCode.OK, 20);
            var (after, afterSop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
            Assert.Equal(Outcome.Success, await StoreAsync(serve, "DBFULL", after));
            acknowledged.Add(afterSop);

            foreach (var sop in acknowledged)
            {
                Assert.True(IndexDatabase.Instances(database, sop) == 1, $"acknowledged instance {sop} is not in the index");
            }

            // Every association of the outage that got A700 has its audit row: those the store refused come from audit-pending.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            long refusedRows = 0;
            while (DateTime.UtcNow < deadline)
            {
                refusedRows = IndexDatabase.Count(database, "SELECT count(*) FROM associations WHERE calling_ae = 'DBFULL' AND statuses LIKE '%A700%'");
                if (refusedRows == refused && !File.Exists(spooled))
                {
                    break;
                }
                await Task.Delay(200);
            }
            Assert.True(refusedRows == refused, $"{refusedRows} audit rows with A700 for {refused} refused associations\n{serve.Output}");
            Assert.False(File.Exists(spooled), "audit-pending not emptied");
        }
        finally
        {
            Tool.Run("umount", "-l", dbDir);
        }
    }

    [Fact]
    public async Task Below_the_database_volumes_free_space_reserve_new_associations_are_rejected_transient_and_healthz_says_why_until_space_returns()
    {
        var dbDir = Directory.CreateDirectory(Path.Combine(_root, "dbfs")).FullName;
        var database = Path.Combine(dbDir, "remotedx.db");
        // 8 MiB of volume against a 16 MiB reserve: unhealthy from the first probe, with the database itself still writable.
        Tool.RunOk("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dbDir);
        try
        {
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
            {
                ["RemoteDx__Database__Provider"] = "sqlite",
                ["RemoteDx__Database__ConnectionString"] = database,
                ["RemoteDx__Database__FreeSpaceReserveMB"] = "16",
            }, expectUnhealthy: true);
            using var http = new HttpClient { BaseAddress = serve.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
            using (var r = await http.GetAsync("healthz"))
            {
                var body = await r.Content.ReadAsStringAsync();
                output.WriteLine($"/healthz: {(int)r.StatusCode} {body}");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
                Assert.Contains("RemoteDx:Database:FreeSpaceReserveMB", body, StringComparison.Ordinal);
            }
            var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
            var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
            Assert.Equal(Outcome.RejectedTransient, await StoreAsync(serve, "DBLOW", file));
            Assert.Equal(0L, IndexDatabase.Instances(database, sop));

            Tool.RunOk("mount", "-o", "remount,size=64m", dbDir);
            await WaitForHealthAsync(http, HttpStatusCode.OK, 20);
            Assert.Equal(Outcome.Success, await StoreAsync(serve, "DBLOW", file));
            Assert.Equal(1L, IndexDatabase.Instances(database, sop));
        }
        finally
        {
            Tool.Run("umount", "-l", dbDir);
        }
    }

    private async Task WaitForHealthAsync(HttpClient http, HttpStatusCode expected, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            using var r = await http.GetAsync("healthz");
            if (r.StatusCode == expected)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"/healthz still {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()} after {seconds} s");
            await Task.Delay(250);
        }
    }

    /// <summary>One storescu association with one instance: 0000, A700, or the association rejected transient. Anything
    /// else (0110, an A-ABORT, a permanent reject) fails the test.</summary>
    private async Task<Outcome> StoreAsync(RemoteDxServe serve, string callingAe, string file)
    {
        using var storescu = ChildProcess.Start(Tool.Require("storescu"),
            ["-v", "-aet", callingAe, "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
        await storescu.WaitAsync(TimeSpan.FromSeconds(30));
        var said = storescu.Output;
        Assert.DoesNotContain("Abort", said, StringComparison.OrdinalIgnoreCase);
        if (said.Contains("Association Rejected", StringComparison.Ordinal))
        {
            Assert.True(said.Contains("Rejected Transient", StringComparison.OrdinalIgnoreCase), "a permanent reject:\n" + said);
            return Outcome.RejectedTransient;
        }
        Assert.Contains("Releasing Association", said, StringComparison.Ordinal);
        var compact = said.Replace(" ", "", StringComparison.Ordinal);
        if (compact.Contains("ReceivedStoreResponse(Success)", StringComparison.Ordinal))
        {
            return Outcome.Success;
        }
        Assert.True(compact.Contains("OutOfResources", StringComparison.OrdinalIgnoreCase), "neither 0000, A700 nor a transient reject:\n" + said);
        return Outcome.OutOfResources;
    }
}
