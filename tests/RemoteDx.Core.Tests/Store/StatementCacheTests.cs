using Microsoft.Data.Sqlite;
using RemoteDx.Core.Store;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Store;

/// <summary>The prepared commands a long-lived SQLite connection keeps (the store's writer and its kept readers): the
/// same command comes back for the same SQL with new values bound, never twice at once, and one that failed is not
/// reused.</summary>
public sealed class StatementCacheTests : IAsyncLifetime
{
    private readonly SqliteConnection _conn = new("Data Source=:memory:");

    public async Task InitializeAsync()
    {
        await _conn.OpenAsync();
        await using var cmd = _conn.CreateCommand();
        cmd.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
        await cmd.ExecuteNonQueryAsync();
        StatementCache.Enable(_conn);
    }

    public async Task DisposeAsync()
    {
        StatementCache.Disable(_conn);
        await _conn.DisposeAsync();
    }

    private const string Insert = "INSERT INTO t (id, v) VALUES (@id, @v)";

    private static async Task<int> RunAsync(StatementCache cache, SqliteConnection conn, string sql, params (string, object?)[] args)
    {
        var cmd = cache.Lease(conn, null, sql, args) ?? throw new InvalidOperationException("not leased");
        var failed = true;
        try
        {
            var n = await cmd.ExecuteNonQueryAsync();
            failed = false;
            return n;
        }
        finally
        {
            cache.Return(cmd, failed);
        }
    }

    [Fact]
    public async Task The_same_SQL_gets_the_same_command_back_with_the_new_values_bound()
    {
        var cache = StatementCache.For(_conn)!;
        var first = cache.Lease(_conn, null, Insert, [("@id", 1L), ("@v", "a")])!;
        await first.ExecuteNonQueryAsync();
        cache.Return(first, failed: false);
        Assert.All(first.Parameters.Cast<SqliteParameter>(), p => Assert.Equal(DBNull.Value, p.Value));

        var second = cache.Lease(_conn, null, Insert, [("@id", 2L), ("@v", "b")])!;
        Assert.Same(first, second);
        await second.ExecuteNonQueryAsync();
        cache.Return(second, failed: false);

        await using var read = _conn.CreateCommand();
        read.CommandText = "SELECT group_concat(id || v, ',') FROM (SELECT * FROM t ORDER BY id)";
        Assert.Equal("1a,2b", await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_command_in_use_is_not_handed_out_again_and_other_parameter_names_get_their_own()
    {
        var cache = StatementCache.For(_conn)!;
        var held = cache.Lease(_conn, null, Insert, [("@id", 1L), ("@v", "a")])!;
        Assert.Null(cache.Lease(_conn, null, Insert, [("@id", 2L), ("@v", "b")]));
        cache.Return(held, failed: false);
        Assert.Null(cache.Lease(_conn, null, Insert, [("@v", "b"), ("@id", 2L)]));
        Assert.Equal(1, await RunAsync(cache, _conn, Insert, ("@id", 2L), ("@v", "b")));
    }

    [Fact]
    public async Task A_command_that_failed_is_dropped_and_the_SQL_works_again_with_a_new_one()
    {
        var cache = StatementCache.For(_conn)!;
        Assert.Equal(1, await RunAsync(cache, _conn, Insert, ("@id", 1L), ("@v", "a")));
        var kept = cache.Lease(_conn, null, Insert, [("@id", 1L), ("@v", "again")])!;
        await Assert.ThrowsAsync<SqliteException>(() => kept.ExecuteNonQueryAsync());
        cache.Return(kept, failed: true);

        var next = cache.Lease(_conn, null, Insert, [("@id", 3L), ("@v", "c")])!;
        Assert.NotSame(kept, next);
        Assert.Equal(1, await next.ExecuteNonQueryAsync());
        cache.Return(next, failed: false);
    }

    [Fact]
    public void Past_its_capacity_new_SQL_texts_are_not_kept()
    {
        var cache = StatementCache.For(_conn)!;
        for (var i = 0; i < StatementCache.Capacity; i++)
        {
            var cmd = cache.Lease(_conn, null, $"SELECT {i}", [])!;
            cache.Return(cmd, failed: false);
        }
        Assert.Null(cache.Lease(_conn, null, "SELECT 'one more'", []));
        Assert.NotNull(cache.Lease(_conn, null, "SELECT 0", []));
    }
}

/// <summary>The SQLite store's kept read connections: many readers at once, each on a connection of its own, see every
/// committed write (a kept connection holds no snapshot between reads).</summary>
public sealed class SqliteKeptReadersTests : IDisposable
{
    private readonly string _dir = TempDirectory.ForTestRun("readers");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.TryDelete(_dir);
    }

    [Fact]
    public async Task Concurrent_reads_interleaved_with_writes_never_share_a_connection_and_see_every_commit()
    {
        Directory.CreateDirectory(_dir);
        await using var store = new SqliteTriageStore(Path.Combine(_dir, "remotedx.db"));
        await store.MigrateAsync();
        var study = StoreData.NewUid();
        const int writes = 40;
        var written = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < writes; i++)
            {
                await store.RecordInstanceAsync(StoreData.Instance(study));
                Interlocked.Increment(ref written);
            }
        });
        var readers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            long last = 0;
            while (!writer.IsCompleted)
            {
                var atLeast = Volatile.Read(ref written);
                var n = await store.CountInstancesAsync();
                // Monotonic, and never behind what had committed before the read began.
                Assert.True(n >= last && n >= atLeast, $"read {n} after {last}, with {atLeast} committed");
                last = n;
            }
        })).ToList();
        await Task.WhenAll(readers.Append(writer));
        Assert.Equal(writes, await store.CountInstancesAsync());
    }
}
