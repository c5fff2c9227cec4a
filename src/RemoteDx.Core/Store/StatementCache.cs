using System.Data.Common;
using System.Runtime.CompilerServices;

namespace RemoteDx.Core.Store;

/// <summary>Prepared commands kept on one long-lived connection, by SQL text, so a statement run again (every ingest
/// runs the same dozen) is bound and stepped instead of parsed and planned again: Microsoft.Data.Sqlite keeps a
/// command's prepared statements only as long as the command object lives. A connection opts in with
/// <see cref="Enable"/>; the store's Exec/Scalar/Query helpers then lease from it. Not thread-safe, like the connection
/// it belongs to; a statement already leased (a nested use of the same text) gets a throw-away command.</summary>
internal sealed class StatementCache : IDisposable
{
    /// <summary>The most statements kept per connection; texts beyond it (dynamically built SQL) are not kept.</summary>
    public const int Capacity = 128;

    private static readonly ConditionalWeakTable<DbConnection, StatementCache> Caches = new();

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed class Entry(DbCommand command)
    {
        public DbCommand Command { get; } = command;

        public bool Leased { get; set; }
    }

    public static void Enable(DbConnection conn) => Caches.AddOrUpdate(conn, new StatementCache());

    /// <summary>Finalizes the connection's kept statements (before it is closed or given up after a failure).</summary>
    public static void Disable(DbConnection conn)
    {
        if (Caches.TryGetValue(conn, out var cache))
        {
            Caches.Remove(conn);
            cache.Dispose();
        }
    }

    public static StatementCache? For(DbConnection conn) => Caches.TryGetValue(conn, out var cache) ? cache : null;

    /// <summary>The kept command for <paramref name="sql"/> with <paramref name="args"/> bound, or null where the caller
    /// should build a throw-away one (leased already, different parameter names, cache full).</summary>
    public DbCommand? Lease(DbConnection conn, DbTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        if (_entries.TryGetValue(sql, out var entry))
        {
            if (entry.Leased || !SameParameters(entry.Command, args))
            {
                return null;
            }
            entry.Command.Transaction = tx;
            for (var i = 0; i < args.Length; i++)
            {
                entry.Command.Parameters[i].Value = args[i].Value ?? DBNull.Value;
            }
            entry.Leased = true;
            return entry.Command;
        }
        if (_entries.Count >= Capacity)
        {
            return null;
        }
        var cmd = SqlTriageStore.Command(conn, tx, sql, args);
        _entries[sql] = new Entry(cmd) { Leased = true };
        return cmd;
    }

    /// <summary>Gives a leased command back; one whose execution failed is dropped (its statement state is unknown).</summary>
    public void Return(DbCommand cmd, bool failed)
    {
        if (!_entries.TryGetValue(cmd.CommandText, out var entry) || !ReferenceEquals(entry.Command, cmd))
        {
            cmd.Dispose();
            return;
        }
        entry.Leased = false;
        // The parameters keep no values between uses (no strings or blobs held alive by the cache).
        foreach (DbParameter p in cmd.Parameters)
        {
            p.Value = DBNull.Value;
        }
        cmd.Transaction = null;
        if (failed)
        {
            _entries.Remove(cmd.CommandText);
            cmd.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Command.Dispose();
        }
        _entries.Clear();
    }

    private static bool SameParameters(DbCommand cmd, (string Name, object? Value)[] args)
    {
        if (cmd.Parameters.Count != args.Length)
        {
            return false;
        }
        for (var i = 0; i < args.Length; i++)
        {
            if (!string.Equals(cmd.Parameters[i].ParameterName, args[i].Name, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
