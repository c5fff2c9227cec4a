using System.Globalization;
using System.Net;
using Npgsql;
using RemoteDx.Core.Tests.Store;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>Two `remotedx serve` processes on one PostgreSQL database (a throwaway cluster started by the test).</summary>
public sealed class TwoNodeTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private const string Password = "correct horse 1";
    private readonly string _root = TempDirectory.ForTestRun("two-node");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task Two_serve_processes_on_one_PostgreSQL_database_share_one_index_and_one_queue_score_each_job_once_and_share_the_reviews()
    {
        var connection = cluster.CreateDatabase();
        var models = Path.GetDirectoryName(TestModels.Make(Path.Combine(_root, "models")))!;
        var env = new Dictionary<string, string>
        {
            ["RemoteDx__Database__ConnectionString"] = connection,
            ["RemoteDx__Inference__ModelsDirectory"] = models,
        };
        await RemoteDxUsers.AddAsync(Path.Combine(_root, "a"), "dr_lee", "radiologist", Password, env: env);
        // Both start at once: the schema is migrated once, under PostgreSQL's advisory lock.
        var starting = new[] { "a", "b" }.Select(n => RemoteDxServe.StartAsync(Path.Combine(_root, n), env)).ToList();
        await using var a = await starting[0];
        await using var b = await starting[1];

        var dir = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        var studies = new List<string>();
        var sops = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir, ds =>
                ds.SetString(RemoteDx.Dicom.Tag.StudyInstanceUID, RemoteDx.Dicom.VR.UI, Samples.NewUid()));
            studies.Add(Samples.Uids(file).Study);
            sops.Add(sop);
            var node = i % 2 == 0 ? a : b;
            Assert.Single((await RemoteDxCli.SendAsync(node.DicomPort, [file], "REMOTEDX")).Ok);
        }

        using var onA = await LoginAsync(a);
        using var onB = await LoginAsync(b);
        await using (var conn = new NpgsqlConnection(connection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT sop_instance_uid, count(*) FROM jobs GROUP BY sop_instance_uid", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            var jobs = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await r.ReadAsync())
            {
                jobs[r.GetString(0)] = r.GetInt64(1);
            }
            Assert.Equal(sops.Order(StringComparer.Ordinal), jobs.Keys.Order(StringComparer.Ordinal));
            Assert.All(jobs.Values, n => Assert.Equal(1, n));
        }
        // Both nodes score from the one queue: every job ends 'done' after exactly one claim, with one set of findings,
        // and the claims came from both processes.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline && await ScalarAsync(connection, "SELECT count(*) FROM jobs WHERE state <> 'done'") > 0)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM jobs WHERE state <> 'done'"));
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM jobs WHERE attempts <> 1"));
        Assert.Equal(sops.Count * 3, await ScalarAsync(connection, "SELECT count(*) FROM findings"));
        Assert.Equal(0, await ScalarAsync(connection,
            "SELECT count(*) FROM (SELECT sop_instance_uid, model, label FROM findings GROUP BY 1, 2, 3 HAVING count(*) > 1) d"));
        var processes = await ScalarAsync(connection, "SELECT count(DISTINCT split_part(worker, ':', 2)) FROM jobs");
        Assert.True(processes == 2, $"jobs were claimed by {processes} process(es), expected both");
        // Identical images, identical scores: rank ties fall back to arrival order, the same on both nodes.
        foreach (var api in new[] { onA, onB })
        {
            var listed = (await api.GetJsonAsync("api/worklist?pageSize=500")).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList();
            Assert.Equal(studies, listed);
        }

        using (var r = await onA.PostAsync($"api/studies/{studies[1]}/comments", new { text = "from node a" }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        var seenOnB = await onB.GetJsonAsync($"api/studies/{studies[1]}");
        Assert.Equal("from node a", Assert.Single(seenOnB.GetProperty("comments").EnumerateArray()).GetProperty("text").GetString());
        Assert.Equal(studies.Count.ToString(CultureInfo.InvariantCulture),
            (await onB.GetJsonAsync("api/worklist")).GetProperty("total").GetInt64().ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<long> ScalarAsync(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<ApiClient> LoginAsync(RemoteDxServe serve)
    {
        var c = new ApiClient(serve.BaseUrl);
        using var r = await c.LoginAsync("dr_lee", Password);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return c;
    }
}
