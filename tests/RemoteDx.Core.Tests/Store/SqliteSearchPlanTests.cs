using Microsoft.Data.Sqlite;
using RemoteDx.Core.Store;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Worklist search is an index search: SQLite's plan for the term match uses the primary key range.</summary>
public sealed class SqliteSearchPlanTests : IDisposable
{
    private readonly string _dir = TempDirectory.ForTestRun("plan");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.TryDelete(_dir);
    }

    [Fact]
    public async Task The_search_term_match_is_a_primary_key_range_not_a_scan()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "remotedx.db");
        await using (var store = new SqliteTriageStore(path))
        {
            await store.MigrateAsync();
        }
        await using var conn = new SqliteConnection($"Data Source={path};Pooling=false");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + SqlTriageStore.SearchTermMatch.Replace("@n", "0", StringComparison.Ordinal);
        cmd.Parameters.AddWithValue("@term0", "mul");
        cmd.Parameters.AddWithValue("@termEnd0", SearchKey.UpperBound("mul"));
        var plan = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                plan.Add(r.GetString(3));
            }
        }
        var step = Assert.Single(plan);
        Assert.StartsWith("SEARCH t USING PRIMARY KEY (term>? AND term<?)", step, StringComparison.Ordinal);
    }
}
