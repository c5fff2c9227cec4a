using System.Globalization;
using System.Net;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>Issue 14 item 6, "database full": the SQLite index alone on a small tmpfs, the archive on the normal disk.
/// Senders get A700 (out of resources, retried later) once the database cannot grow, never 0110 or an A-ABORT; every
/// instance acknowledged 0000 is in the index; when space returns, stores succeed and the audit rows kept in
/// audit-pending reach the database.</summary>
public sealed class DatabaseFullTests(ITestOutputHelper output) : IDisposable
{
    // Free space left on the database volume once migrations have run: a few dozen C-STOREs' worth of WAL pages.
    private const long HeadroomBytes = 1024 * 1024;
    private const int MaxInstances = 400;

    private readonly string _root = TempDirectory.ForTestRun("dbfull");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task A_full_SQLite_volume_answers_A700_loses_no_acknowledged_instance_and_recovers_with_the_audit_rows_when_space_returns()
    {
        var dbDir = Directory.CreateDirectory(Path.Combine(_root, "dbfs")).FullName;
        var database = Path.Combine(dbDir, "remotedx.db");
        Tool.RunOk("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dbDir);
        try
        {
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
            {
                ["RemoteDx__Database__Provider"] = "sqlite",
                ["RemoteDx__Database__ConnectionString"] = database,
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
            for (var i = 0; i < MaxInstances && refused < 3; i++)
            {
                var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
                var said = await StoreAsync(serve, "DBFULL", file);
                if (said.Contains("ReceivedStoreResponse(Success)", StringComparison.Ordinal))
                {
                    acknowledged.Add(sop);
                }
                else if (said.Contains("OutOfResources", StringComparison.OrdinalIgnoreCase))
                {
                    refused++;
                    if (refused == 1)
                    {
                        output.WriteLine($"first refusal after {acknowledged.Count} acknowledged instances");
                    }
                }
                else
                {
                    Assert.Fail($"instance {i}: neither 0000 nor A700 (storescu said):\n{said}");
                }
                File.Delete(file);
            }
            Assert.True(refused > 0, $"no refusal after {MaxInstances} instances: the database never filled");
            Assert.Contains("database unavailable", serve.Output, StringComparison.Ordinal);
            Assert.NotEmpty(acknowledged);

            // A full SQLite database still answers reads, so the health probe's `SELECT 1` passes: /healthz reports
            // what the probe sees. Record it; the refusals above are what tells a sender to come back later.
            using (var r = await http.GetAsync("healthz"))
            {
                output.WriteLine($"/healthz while the database is full: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            }
            Assert.True((await http.GetAsync("livez")).IsSuccessStatusCode, "/livez must stay 200 while the process runs");
            var spooled = Path.Combine(serve.DataDirectory, "audit-pending", "associations.jsonl");
            output.WriteLine($"audit-pending while full: {(File.Exists(spooled) ? File.ReadAllLines(spooled).Length : 0)} rows");

            Tool.RunOk("mount", "-o", "remount,size=8m", dbDir);
            var (after, afterSop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            var afterSaid = "";
            while (DateTime.UtcNow < deadline && !afterSaid.Contains("ReceivedStoreResponse(Success)", StringComparison.Ordinal))
            {
                afterSaid = await StoreAsync(serve, "DBFULL", after);
            }
            Assert.Contains("ReceivedStoreResponse(Success)", afterSaid, StringComparison.Ordinal);
            acknowledged.Add(afterSop);

            foreach (var sop in acknowledged)
            {
                Assert.True(IndexDatabase.Instances(database, sop) == 1, $"acknowledged instance {sop} is not in the index");
            }

            // Every association of the outage has its audit row: those the store refused come from audit-pending.
            deadline = DateTime.UtcNow.AddSeconds(30);
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
            using (var r = await http.GetAsync("healthz"))
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
        }
        finally
        {
            Tool.Run("umount", "-l", dbDir);
        }
    }

    /// <summary>One storescu association with one instance; returns its output with spaces removed.</summary>
    private async Task<string> StoreAsync(RemoteDxServe serve, string callingAe, string file)
    {
        using var storescu = ChildProcess.Start(Tool.Require("storescu"),
            ["-v", "-aet", callingAe, "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
        await storescu.WaitAsync(TimeSpan.FromSeconds(30));
        var said = storescu.Output;
        Assert.DoesNotContain("Abort", said, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Releasing Association", said, StringComparison.Ordinal);
        var compact = said.Replace(" ", "", StringComparison.Ordinal);
        if (!compact.Contains("ReceivedStoreResponse(Success)", StringComparison.Ordinal))
        {
            output.WriteLine(said);
        }
        return compact;
    }
}
