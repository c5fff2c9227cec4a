using System.Globalization;
using System.Net;
using Npgsql;
using RemoteDx.Core.Tests.Store;
using RemoteDx.Dicom.Network;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>Issue 14 "Faults without surprises": infrastructure faults injected under a real `remotedx serve`. A sender
/// gets a status it can act on (A7xx, retried later), never 0110 or an A-ABORT; new associations are rejected transient
/// and /healthz says why; nothing is lost or left half-written.</summary>
public sealed class FaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("faults");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task PostgreSQL_down_mid_association_answers_A700_rejects_new_associations_and_keeps_the_audit_rows_until_it_returns()
    {
        using var cluster = new PostgresCluster();
        var connection = cluster.CreateDatabase();
        await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"),
            new Dictionary<string, string> { ["RemoteDx__Database__ConnectionString"] = connection });
        var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        var (before, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
        var (during, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
        var (after, afterSop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
        using var http = new HttpClient { BaseAddress = serve.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };

        await using (var sender = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = serve.DicomPort, CalledAE = "REMOTEDX", CallingAE = "OUTAGE" },
            PresentationContextProposal.ForFiles([before, during])[0].Contexts))
        {
            Assert.Equal(0x0000, (await sender.StoreAsync(before)).Code);
            cluster.Stop();
            // The association was accepted before the outage: its next C-STORE is refused "out of resources", which a
            // sender retries, not 0110 (processing failure), which many do not.
            var status = await sender.StoreAsync(during);
            output.WriteLine($"during the outage: {status}");
            Assert.Equal(0xA700, status.Code);
            Assert.Contains("database unavailable", status.ErrorComment ?? "", StringComparison.Ordinal);
            await sender.ReleaseAsync();
        }

        var (code, body) = await WaitForHealthAsync(http, 503);
        output.WriteLine($"/healthz during the outage: {code} {body}");
        Assert.Contains("\"reason\":\"database", body, StringComparison.Ordinal);
        Assert.True((await http.GetAsync("livez")).IsSuccessStatusCode, "/livez must stay 200 while the process runs");

        using (var echoscu = ChildProcess.Start(Tool.Require("echoscu"),
            ["-v", "-aet", "LATE", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture)]))
        {
            await echoscu.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("Rejected Transient", echoscu.Output, StringComparison.OrdinalIgnoreCase);
        }

        cluster.Start();
        (code, body) = await WaitForHealthAsync(http, 200);
        Assert.Equal(200, code);
        using (var storescu = ChildProcess.Start(Tool.Require("storescu"),
            ["-aet", "OUTAGE", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), after]))
        {
            var exit = await storescu.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"storescu exited {exit}:\n{storescu.Output}");
        }
        Assert.Equal(1, await ScalarAsync(connection, $"SELECT count(*) FROM instances WHERE sop_instance_uid = '{afterSop}'"));

        // The audit rows of the outage (the association that got A700, the rejected one) reach the database.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long outageRows = 0, rejectedRows = 0;
        while (DateTime.UtcNow < deadline)
        {
            outageRows = await ScalarAsync(connection, "SELECT count(*) FROM associations WHERE calling_ae = 'OUTAGE' AND statuses LIKE '%A700%'");
            rejectedRows = await ScalarAsync(connection, "SELECT count(*) FROM associations WHERE calling_ae = 'LATE' AND outcome LIKE 'rejected:%'");
            if (outageRows == 1 && rejectedRows == 1)
            {
                break;
            }
            await Task.Delay(200);
        }
        Assert.True(outageRows == 1 && rejectedRows == 1, $"audit rows of the outage: {outageRows} A700 association, {rejectedRows} rejected\n{serve.Output}");
        Assert.False(File.Exists(Path.Combine(serve.DataDirectory, "audit-pending", "associations.jsonl")), "audit-pending not emptied");
    }

    [Fact]
    public async Task A_full_disk_with_no_reserve_answers_A700_not_an_A_ABORT_and_leaves_nothing_partial_in_the_archive()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "tmpfs")).FullName;
        Tool.RunOk("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", data);
        try
        {
            await using var serve = await RemoteDxServe.StartAsync(data,
                new Dictionary<string, string> { ["RemoteDx__Dicom__FreeSpaceReserveMB"] = "0" });
            var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
            var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);

            // Fill the volume, then free a little: less than the data set needs, enough for the health probe.
            var filler = Path.Combine(data, "filler");
            using (var f = new FileStream(filler, FileMode.Create, FileAccess.Write))
            {
                var block = new byte[64 * 1024];
                try
                {
                    while (true)
                    {
                        f.Write(block);
                        f.Flush();
                    }
                }
                catch (IOException)
                {
                }
            }
            using (var f = new FileStream(filler, FileMode.Open, FileAccess.Write))
            {
                f.SetLength(Math.Max(0, f.Length - 16 * 1024));
            }

            using var storescu = ChildProcess.Start(Tool.Require("storescu"),
                ["-v", "-aet", "FULL", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
            await storescu.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(storescu.Output);
            var said = storescu.Output.Replace(" ", "", StringComparison.Ordinal);
            Assert.Contains("OutOfResources", said, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Abort", storescu.Output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Releasing Association", storescu.Output, StringComparison.Ordinal);

            Assert.False(File.Exists(Samples.ArchivePath(serve.ArchiveRoot, file)), "a refused instance is in the archive");
            var archived = Directory.Exists(serve.ArchiveRoot) ? Directory.GetFiles(serve.ArchiveRoot, "*", SearchOption.AllDirectories) : [];
            Assert.Empty(archived);
            var temp = Directory.GetFiles(Path.Combine(data, "tmp")).Where(p => !p.EndsWith(".probe", StringComparison.Ordinal)).ToList();
            Assert.Empty(temp);
            _ = sop;
        }
        finally
        {
            Tool.Run("umount", "-l", data);
        }
    }

    [Fact]
    public async Task At_start_up_the_reconciler_quarantines_an_archive_file_it_cannot_index_and_reports_it_in_the_log_and_metrics()
    {
        var data = Path.Combine(_root, "data");
        var garbage = Path.Combine(data, "archive", "1.2.3", "1.2.3.4", "1.2.3.4.5.dcm");
        Directory.CreateDirectory(Path.GetDirectoryName(garbage)!);
        await File.WriteAllTextAsync(garbage, "not DICOM");
        await using var serve = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
        {
            ["RemoteDx__Dicom__ReconcileMinAgeSeconds"] = "0",
            ["RemoteDx__Dicom__ReconcileMinutes"] = "0",
        });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !serve.Output.Contains("1 quarantined", StringComparison.Ordinal))
        {
            await Task.Delay(100);
        }
        Assert.Contains("reconciler: 1 archive files, 0 indexed, 1 quarantined", serve.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(garbage));
        Assert.Single(Directory.GetFiles(Path.Combine(data, "quarantine"), "*.reason"));
        using var http = new HttpClient { BaseAddress = serve.BaseUrl };
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("remotedx_reconciler_files_total{action=\"quarantined\"", metrics, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Body)> WaitForHealthAsync(HttpClient http, int want)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        var (code, body) = (0, "");
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var r = await http.GetAsync("healthz");
                (code, body) = ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
                if (code == want)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        return (code, body);
    }

    private static async Task<long> ScalarAsync(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
