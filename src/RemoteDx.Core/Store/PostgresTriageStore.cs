using System.Data;
using System.Data.Common;
using Npgsql;

namespace RemoteDx.Core.Store;

/// <summary>PostgreSQL store, for several `remotedx serve` processes sharing one database (and one archive): jobs are
/// claimed with FOR UPDATE SKIP LOCKED and held under a lease; each write is its own transaction on a pooled
/// connection, retried when PostgreSQL reports a deadlock or serialization failure.</summary>
public sealed class PostgresTriageStore : SqlTriageStore
{
    private const long MigrationLockKey = 0x52_44_58_4D_49_47; // "RDXMIG"
    private readonly NpgsqlDataSource _dataSource;

    public PostgresTriageStore(string connectionString, TriageStoreOptions? options = null) : base(options ?? new TriageStoreOptions())
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public override string Provider => "postgresql";

    public override bool SharedAcrossProcesses => true;

    protected override string SkipLocked => "FOR UPDATE SKIP LOCKED";

    protected override string BinaryCollate => " COLLATE \"C\"";

    protected override string? LockStudySql => "SELECT 1 FROM studies WHERE study_instance_uid = @study FOR UPDATE";

    protected override object Time(DateTimeOffset t) => t.ToUniversalTime();

    public override async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Processes starting together migrate one after the other.
        await ExecAsync(conn, tx, "SELECT pg_advisory_xact_lock(@key)", ct, ("@key", MigrationLockKey)).ConfigureAwait(false);
        await ExecAsync(conn, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)", ct).ConfigureAwait(false);
        var current = Convert.ToInt32(await ScalarAsync(conn, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", ct).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (version, sql) in PostgresMigrations.All)
        {
            if (version <= current)
            {
                continue;
            }
            await ExecAsync(conn, tx, sql, ct).ConfigureAwait(false);
            if (version == 5)
            {
                await BackfillSearchAsync(conn, tx, ct).ConfigureAwait(false);
            }
            await ExecAsync(conn, tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)", ct,
                ("@v", version), ("@at", DateTimeOffset.UtcNow)).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    protected override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await work(conn, tx).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException ex) when (attempt < 5 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * Random.Shared.Next(1, 4)), ct).ConfigureAwait(false);
            }
        }
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

    protected override async Task<DbTransaction> BeginReadAsync(DbConnection conn, CancellationToken ct) =>
        await ((NpgsqlConnection)conn).BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);

    public override async ValueTask DisposeAsync() => await _dataSource.DisposeAsync().ConfigureAwait(false);
}
