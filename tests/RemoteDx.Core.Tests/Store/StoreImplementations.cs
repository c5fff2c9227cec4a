using Npgsql;
using RemoteDx.Core.Store;

namespace RemoteDx.Core.Tests.Store;

public sealed class SqliteTriageStoreTests : TriageStoreContract, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rdx-store-" + Guid.NewGuid().ToString("N")[..10]);

    private string DatabasePath => Path.Combine(_dir, "remotedx.db");

    protected override ITriageStore Open(TriageStoreOptions options)
    {
        Directory.CreateDirectory(_dir);
        return Track(new SqliteTriageStore(DatabasePath, options));
    }

    protected override ITriageStore PeerStore() => Store;

    protected override async Task ResetNotBeforeAsync(long jobId)
    {
        await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=10000; UPDATE jobs SET not_before = '2000-01-01T00:00:00.0000000+00:00' WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", jobId);
        await cmd.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTriageStoreTests(PostgresCluster cluster) : TriageStoreContract
{
    private readonly string _connectionString = cluster.CreateDatabase();

    protected override ITriageStore Open(TriageStoreOptions options) => Track(new PostgresTriageStore(_connectionString, options));

    protected override ITriageStore PeerStore() => Open(new TriageStoreOptions());

    protected override async Task ResetNotBeforeAsync(long jobId)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("UPDATE jobs SET not_before = '2000-01-01T00:00:00Z' WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", jobId);
        await cmd.ExecuteNonQueryAsync();
    }
}
