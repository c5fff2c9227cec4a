using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace RemoteDx.Core.Store;

/// <summary>SQLite store (WAL, synchronous=FULL), the embedded default. Every write goes through one writer, which
/// gathers whatever is queued into a single transaction so concurrent callers share one fsync (group commit); each
/// caller's work runs in its own savepoint, so one failure does not undo the others. Being the only writer also makes
/// the job claim atomic without row locks.</summary>
public sealed class SqliteTriageStore : SqlTriageStore
{
    private readonly string _connectionString;
    private readonly string _databasePath;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly int _maxBatch;
    // Idle read connections, the most recently used on top (its pages are the warmest); _kept counts them.
    private readonly System.Collections.Concurrent.ConcurrentStack<SqliteConnection> _readers = new();
    private int _kept;
    private int _closed;

    /// <summary>How many idle read connections are kept open (with their prepared statements) between reads.</summary>
    private const int KeptReaders = 8;

    public SqliteTriageStore(string databasePath, TriageStoreOptions? options = null, int maxBatch = 256) : base(options ?? new TriageStoreOptions())
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        DatabaseDirectory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        _maxBatch = maxBatch;
        _databasePath = databasePath;
        _writer = Task.Run(WriterLoopAsync);
    }

    public override string Provider => "sqlite";

    public override string? DatabaseDirectory { get; }

    /// <summary>One row rewritten in <c>health_probe</c> through the writer, so it commits (WAL append, fsync) like an
    /// ingest write does and fails the same way (SQLITE_FULL, SQLITE_IOERR, read-only volume). The table is the probe's
    /// own, created here rather than by a migration: nothing else reads it.</summary>
    public override Task ProbeWriteAsync(CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, """
            CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), probed_at TEXT NOT NULL);
            INSERT INTO health_probe (id, probed_at) VALUES (1, @at) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at
            """, ct, ("@at", Time(DateTimeOffset.UtcNow))).ConfigureAwait(false), ct);

    public override bool SharedAcrossProcesses => false;

    protected override string SkipLocked => "";

    protected override string? LockStudySql => null;

    protected override object Time(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private sealed record PendingWrite(Func<DbConnection, DbTransaction, Task<object?>> Apply, TaskCompletionSource<object?> Done);

    public override async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenSqliteAsync(ct).ConfigureAwait(false);
        await ExecAsync(conn, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", ct).ConfigureAwait(false);
        var current = Convert.ToInt32(await ScalarAsync(conn, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        foreach (var (version, sql) in Migrations.All)
        {
            if (version <= current)
            {
                continue;
            }
            await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
            await ExecAsync(conn, tx, sql, ct).ConfigureAwait(false);
            if (version == 2)
            {
                // Studies indexed before ranking existed get their counts and status.
                await RefreshAllStudiesAsync(conn, tx, ct).ConfigureAwait(false);
            }
            if (version == 6)
            {
                await BackfillSearchAsync(conn, tx, ct).ConfigureAwait(false);
            }
            await ExecAsync(conn, tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)", ct,
                ("@v", version), ("@at", Time(DateTimeOffset.UtcNow))).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    protected override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writes.Writer.WriteAsync(new PendingWrite(async (c, t) => await work(c, t).ConfigureAwait(false), done), ct).ConfigureAwait(false);
        return (T)(await done.Task.WaitAsync(ct).ConfigureAwait(false))!;
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken ct) => await OpenSqliteAsync(ct).ConfigureAwait(false);

    /// <summary>Reads run on connections kept open with their prepared statements (<see cref="StatementCache"/>): the
    /// per-instance ownership check and the worklist's reads would otherwise open a connection, set its pragmas and
    /// compile their SQL every time. A connection whose work failed is closed rather than kept.</summary>
    protected override async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        if (_readers.TryPop(out var conn))
        {
            Interlocked.Decrement(ref _kept);
        }
        else
        {
            conn = await OpenSqliteAsync(ct).ConfigureAwait(false);
            StatementCache.Enable(conn);
        }
        var keep = false;
        try
        {
            var result = await work(conn).ConfigureAwait(false);
            keep = true;
            return result;
        }
        finally
        {
            if (keep && Volatile.Read(ref _closed) == 0 && Interlocked.Increment(ref _kept) <= KeptReaders)
            {
                _readers.Push(conn);
                // Disposed meanwhile: nobody else will close what is still kept.
                if (Volatile.Read(ref _closed) != 0)
                {
                    CloseKept();
                }
            }
            else
            {
                if (keep && Volatile.Read(ref _closed) == 0)
                {
                    Interlocked.Decrement(ref _kept);
                }
                Close(conn);
            }
        }
    }

    private void CloseKept()
    {
        while (_readers.TryPop(out var conn))
        {
            Interlocked.Decrement(ref _kept);
            Close(conn);
        }
    }

    private static void Close(SqliteConnection conn)
    {
        StatementCache.Disable(conn);
        conn.Dispose();
    }

    protected override Task<DbTransaction> BeginReadAsync(DbConnection conn, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)conn).BeginTransaction(deferred: true));

    /// <summary>Drains whatever is queued into one transaction: every caller waiting at that moment shares the commit.</summary>
    private async Task WriterLoopAsync()
    {
        SqliteConnection? conn = null;
        var batch = new List<PendingWrite>(_maxBatch);
        try
        {
            while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _maxBatch && _writes.Reader.TryRead(out var w))
                {
                    batch.Add(w);
                }
                var results = new (object? Value, Exception? Error)[batch.Count];
                try
                {
                    if (conn is null)
                    {
                        conn = await OpenSqliteAsync(CancellationToken.None).ConfigureAwait(false);
                        StatementCache.Enable(conn);
                    }
                    using var tx = conn.BeginTransaction();
                    for (var i = 0; i < batch.Count; i++)
                    {
                        await ExecAsync(conn, tx, "SAVEPOINT one", CancellationToken.None).ConfigureAwait(false);
                        try
                        {
                            results[i] = (await batch[i].Apply(conn, tx).ConfigureAwait(false), null);
                            await ExecAsync(conn, tx, "RELEASE one", CancellationToken.None).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            await ExecAsync(conn, tx, "ROLLBACK TO one; RELEASE one", CancellationToken.None).ConfigureAwait(false);
                            results[i] = (null, ex);
                        }
                    }
                    tx.Commit();
                    for (var i = 0; i < batch.Count; i++)
                    {
                        if (results[i].Error is { } error)
                        {
                            batch[i].Done.TrySetException(error);
                        }
                        else
                        {
                            batch[i].Done.TrySetResult(results[i].Value);
                        }
                    }
                }
                catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
                {
                    foreach (var w in batch)
                    {
                        w.Done.TrySetException(ex);
                    }
                    if (conn is not null)
                    {
                        Close(conn);
                    }
                    conn = null;
                }
            }
        }
        finally
        {
            if (conn is not null)
            {
                Close(conn);
            }
        }
    }

    private async Task<SqliteConnection> OpenSqliteAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        // Deferred durability: a commit is in the WAL (the OS) when it returns; SyncAsync's checkpoint syncs the WAL, then
        // the database. No automatic checkpoint, which would make commits durable before the archive files they name.
        var sync = Options.DeferredSync ? "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0" : "PRAGMA synchronous=FULL";
        // temp_store=MEMORY: the writer's per-caller savepoints keep their sub-journals in memory instead of spilling
        // each one to a temp file past 64 KiB (one create, write and unlink per ingested instance).
        await ExecAsync(conn, null, $"PRAGMA journal_mode=WAL; {sync}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY", ct)
            .ConfigureAwait(false);
        return conn;
    }

    /// <summary>Deferred durability: a passive checkpoint, which with synchronous=NORMAL syncs the WAL before copying it
    /// and the database after (https://sqlite.org/pragma.html#pragma_synchronous).</summary>
    public override async Task SyncAsync(CancellationToken ct = default)
    {
        if (!Options.DeferredSync)
        {
            return;
        }
        await using var conn = await OpenSqliteAsync(ct).ConfigureAwait(false);
        await ExecAsync(conn, null, "PRAGMA wal_checkpoint(PASSIVE)", ct).ConfigureAwait(false);
        // A checkpoint that a reader keeps from copying anything skips its WAL sync: sync the WAL itself too.
        try
        {
            using var wal = File.OpenHandle(_databasePath + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.FlushToDisk(wal);
        }
        catch (FileNotFoundException)
        {
            // No WAL (nothing written since the last connection closed).
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        Volatile.Write(ref _closed, 1);
        CloseKept();
        SqliteConnection.ClearAllPools();
    }
}
