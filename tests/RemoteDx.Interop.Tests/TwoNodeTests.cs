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
    private readonly string _root = Tools.TempDir("two-node");

    public void Dispose() => Tools.TryDeleteDirectory(_root);

    [Fact]
    public async Task Two_serve_processes_on_one_PostgreSQL_database_share_one_index_one_queue_and_the_reviews()
    {
        var connection = cluster.CreateDatabase();
        var env = new Dictionary<string, string> { ["RemoteDx__Database__ConnectionString"] = connection };
        await RemoteDxUsers.AddAsync(Path.Combine(_root, "a"), "dr_lee", "radiologist", Password, env: env);
        // Both start at once: the schema is migrated once, under PostgreSQL's advisory lock.
        var starting = new[] { "a", "b" }.Select(n => RemoteDxServe.StartAsync(Path.Combine(_root, n), env)).ToList();
        await using var a = await starting[0];
        await using var b = await starting[1];

        var dir = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        var studies = new List<string>();
        var sops = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (file, sop) = Samples.Copy(Tools.TestFile("CT_small.dcm"), dir, ds =>
                ds.SetString(RemoteDx.Dicom.Tag.StudyInstanceUID, RemoteDx.Dicom.VR.UI, Samples.NewUid()));
            studies.Add(Samples.Uids(file).Study);
            sops.Add(sop);
            var node = i % 2 == 0 ? a : b;
            Assert.Single((await RemoteDxCli.SendAsync(node.DicomPort, [file], "REMOTEDX")).Ok);
        }

        using var onA = await LoginAsync(a);
        using var onB = await LoginAsync(b);
        foreach (var api in new[] { onA, onB })
        {
            var listed = (await api.GetJsonAsync("api/worklist?pageSize=500")).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList();
            Assert.Equal(studies, listed);
        }
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
            // When the model registry lands: wait until every job is 'done' and assert each was scored exactly once
            // (the Core suite's Two_workers_on_separate_store_objects_share_the_queue_and_score_each_job_once).
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

    private static async Task<ApiClient> LoginAsync(RemoteDxServe serve)
    {
        var c = new ApiClient(serve.HttpBase);
        using var r = await c.LoginAsync("dr_lee", Password);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return c;
    }
}
