using Microsoft.Data.Sqlite;
using RemoteDx.Core.Store;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Store;

/// <summary>A database written by the first release (schema v1: index and jobs only) upgrades in place.</summary>
public sealed class SqliteUpgradeTests : IDisposable
{
    private readonly string _dir = TempDirectory.ForTestRun("upgrade");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.TryDelete(_dir);
    }

    [Fact]
    public async Task A_version_1_database_is_migrated_and_its_studies_ranked_and_queued()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "remotedx.db");
        await using (var conn = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);" + Migrations.All[0].Sql + """
                ;INSERT INTO schema_migrations VALUES (1, '2026-11-01T00:00:00.0000000+00:00');
                INSERT INTO studies VALUES ('1.2.3', 'P1', 'DOE^JANE', NULL, 'CHEST', 'Hill', 'CLINIC_A', 'DX',
                    '2026-11-01T10:00:00.0000000+00:00', '2026-11-01T10:00:00.0000000+00:00');
                INSERT INTO series VALUES ('1.2.3.1', '1.2.3', 'DX', 'CHEST');
                INSERT INTO instances VALUES ('1.2.3.1.1', '1.2.3.1', '1.2.3', '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1',
                    '/archive/x.dcm', 10, 1, 2048, 2048, 1, 'PA', 'CLINIC_A', 'a1', '2026-11-01T10:00:00.0000000+00:00', 1);
                INSERT INTO jobs (sop_instance_uid, state, attempts, created_at, updated_at)
                    VALUES ('1.2.3.1.1', 'pending', 0, '2026-11-01T10:00:00.0000000+00:00', '2026-11-01T10:00:00.0000000+00:00');
                """;
            await cmd.ExecuteNonQueryAsync();
        }
        await using var store = new SqliteTriageStore(path);
        await store.MigrateAsync();
        var item = Assert.Single((await store.WorklistAsync(new WorklistQuery { From = "20261101", To = "20261101" })).Items);
        Assert.Equal(("1.2.3", StudyStatus.Scoring, 1, "CLINIC_A"), (item.StudyInstanceUid, item.Status, item.Instances, item.Clinic));
        var job = Assert.Single(await store.ClaimJobsAsync("w", 1, TimeSpan.FromMinutes(1), 5));
        Assert.Equal(("1.2.3", "/archive/x.dcm"), (job.StudyInstanceUid, job.Path));
        Assert.True(await store.CompleteJobAsync(job, new RemoteDx.Core.Inference.ImageScore([]), []));
        Assert.Equal(StudyStatus.New, (await store.StudyAsync("1.2.3", Scope.All))!.Study.Status);
        // Studies stored before ownership existed belong to the AE that first sent them.
        Assert.Equal("CLINIC_A", await store.StudyOwnerAsync("1.2.3"));
        Assert.Equal(OwnershipDecision.StudyOwnedByAnotherClinic,
            await store.ClaimAsync(new OwnershipClaim("1.2.3", "9.9", "9.9.1", "CLINIC_B", "CLINIC_B", "a2", DateTimeOffset.UtcNow)));
    }
}
