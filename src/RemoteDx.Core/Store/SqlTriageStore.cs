using System.Data.Common;
using System.Globalization;
using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Store;

/// <summary>The triage store's SQL, shared by SQLite and PostgreSQL: both run the same statements (named @parameters,
/// ON CONFLICT upserts, RETURNING). A subclass supplies connections, how a write transaction runs (SQLite: through its
/// single group-commit writer; PostgreSQL: a pooled connection per transaction), timestamps as the database stores
/// them, and row locking.</summary>
public abstract partial class SqlTriageStore(TriageStoreOptions options) : ITriageStore
{
    protected TriageStoreOptions Options { get; } = options;

    public abstract string Provider { get; }

    public abstract bool SharedAcrossProcesses { get; }

    public abstract Task MigrateAsync(CancellationToken ct = default);

    public abstract ValueTask DisposeAsync();

    /// <inheritdoc cref="IIngestStore.ProbeWriteAsync"/>
    public virtual Task ProbeWriteAsync(CancellationToken ct = default) => PingAsync(ct);

    /// <inheritdoc cref="IIngestStore.DatabaseDirectory"/>
    public virtual string? DatabaseDirectory => null;

    /// <summary>Runs <paramref name="work"/> in a write transaction; its result is returned once committed.</summary>
    protected abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct);

    /// <summary>A connection for reads.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>A read-only transaction: one consistent snapshot that does not block the writer.</summary>
    protected abstract Task<DbTransaction> BeginReadAsync(DbConnection conn, CancellationToken ct);

    /// <summary>A timestamp as a parameter value (SQLite: ISO 8601 UTC text, which sorts; PostgreSQL: timestamptz).</summary>
    protected abstract object Time(DateTimeOffset t);

    /// <summary>Appended to the job and outbox claim sub-selects ("FOR UPDATE SKIP LOCKED" where several processes claim).</summary>
    protected abstract string SkipLocked { get; }

    /// <summary>Locks a study's row before its aggregates are recomputed (PostgreSQL), so a later statement of the same
    /// transaction sees every committed change; null where one writer does everything (SQLite).</summary>
    protected abstract string? LockStudySql { get; }

    // ---------------------------------------------------------------- helpers

    /// <summary>A new command with <paramref name="args"/> bound (null as DBNull); also how <see cref="StatementCache"/>
    /// makes the commands it keeps.</summary>
    protected internal static DbCommand Command(DbConnection conn, DbTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    protected static async Task<int> ExecAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        var (cmd, cache) = Lease(conn, tx, sql, args);
        var failed = true;
        try
        {
            var n = await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            failed = false;
            return n;
        }
        finally
        {
            await GiveBackAsync(cmd, cache, failed).ConfigureAwait(false);
        }
    }

    protected static async Task<object?> ScalarAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        var (cmd, cache) = Lease(conn, tx, sql, args);
        var failed = true;
        try
        {
            var v = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            failed = false;
            return v is DBNull ? null : v;
        }
        finally
        {
            await GiveBackAsync(cmd, cache, failed).ConfigureAwait(false);
        }
    }

    protected static async Task<List<T>> QueryAsync<T>(DbConnection conn, DbTransaction? tx, string sql, Func<DbDataReader, T> map,
        CancellationToken ct, params (string Name, object? Value)[] args)
    {
        var (cmd, cache) = Lease(conn, tx, sql, args);
        var failed = true;
        try
        {
            var result = new List<T>();
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    result.Add(map(r));
                }
            }
            failed = false;
            return result;
        }
        finally
        {
            await GiveBackAsync(cmd, cache, failed).ConfigureAwait(false);
        }
    }

    /// <summary>The connection's kept command for <paramref name="sql"/> where it keeps statements
    /// (<see cref="StatementCache"/>), else a new one.</summary>
    private static (DbCommand Command, StatementCache? Cache) Lease(DbConnection conn, DbTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        if (StatementCache.For(conn) is { } cache && cache.Lease(conn, tx, sql, args) is { } kept)
        {
            return (kept, cache);
        }
        return (Command(conn, tx, sql, args), null);
    }

    private static ValueTask GiveBackAsync(DbCommand cmd, StatementCache? cache, bool failed)
    {
        if (cache is null)
        {
            return cmd.DisposeAsync();
        }
        cache.Return(cmd, failed);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs <paramref name="work"/> on a connection for reads (a subclass may keep them open between reads).</summary>
    protected virtual async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        return await work(conn).ConfigureAwait(false);
    }

    protected static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    protected static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static int Int(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static int? NInt(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static double Dbl(DbDataReader r, int i) => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static double? NDbl(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static bool Bool(DbDataReader r, int i) => Convert.ToBoolean(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static DateTimeOffset TimeAt(DbDataReader r, int i) => ParseTime(r.GetValue(i));

    protected static DateTimeOffset? NTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : ParseTime(r.GetValue(i));

    private static DateTimeOffset ParseTime(object v) => v switch
    {
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        DateTimeOffset o => o,
        _ => throw new InvalidCastException($"not a timestamp: {v.GetType().Name}"),
    };

    protected static string JoinClinics(IEnumerable<string> clinics) => string.Join('\\', clinics);

    protected static IReadOnlyList<string> SplitClinics(string? s) =>
        string.IsNullOrEmpty(s) ? [] : s.Split('\\', StringSplitOptions.RemoveEmptyEntries);

    protected async Task LockStudyAsync(DbConnection conn, DbTransaction tx, string study, CancellationToken ct)
    {
        if (LockStudySql is { } sql)
        {
            await ExecAsync(conn, tx, sql, ct, ("@study", study)).ConfigureAwait(false);
        }
    }

    protected static Task BumpVersionAsync(DbConnection conn, DbTransaction tx, CancellationToken ct) =>
        ExecAsync(conn, tx, "UPDATE worklist_version SET value = value + 1 WHERE id = 1", ct);

    /// <summary>Recomputes a study's counts, rank and status from its instances, jobs, findings and reviews: the rank
    /// by the ranking rule (<see cref="Rank"/>) over the study's findings, the status here (scoring → reviewed → failed →
    /// in-review → new, docs/api.md).</summary>
    private const string RefreshStudySql = """
        UPDATE studies SET
            instance_count = (SELECT COUNT(*) FROM instances i WHERE i.study_instance_uid = studies.study_instance_uid),
            scored_count = (SELECT COUNT(*) FROM jobs j WHERE j.study_instance_uid = studies.study_instance_uid AND j.state = 'done'
                AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.sop_instance_uid = j.sop_instance_uid AND k.id > j.id)),
            failed_count = (SELECT COUNT(*) FROM jobs j WHERE j.study_instance_uid = studies.study_instance_uid AND j.state = 'failed'
                AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.sop_instance_uid = j.sop_instance_uid AND k.id > j.id)),
            priority = @priority,
            stat = @stat,
            status = CASE
                WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.study_instance_uid = studies.study_instance_uid AND j.state IN ('pending', 'running'))
                    THEN 'scoring'
                WHEN studies.reviewed_at IS NOT NULL THEN 'reviewed'
                WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.study_instance_uid = studies.study_instance_uid AND j.state = 'failed'
                    AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.sop_instance_uid = j.sop_instance_uid AND k.id > j.id)) THEN 'failed'
                WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.study_instance_uid = studies.study_instance_uid)
                    OR EXISTS (SELECT 1 FROM comments c WHERE c.study_instance_uid = studies.study_instance_uid) THEN 'in-review'
                ELSE 'new' END
        WHERE study_instance_uid = @study
        """;

    /// <summary>Refreshes one study (see <see cref="RefreshStudySql"/>). Its row is locked first where that matters, so
    /// the findings read here and the counts of the update see the same committed state.</summary>
    protected async Task RefreshStudyAsync(DbConnection conn, DbTransaction tx, string study, CancellationToken ct)
    {
        await LockStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
        var rank = Rank.None;
        foreach (var f in await QueryAsync(conn, tx, """
            SELECT probability, urgency, positive, critical FROM findings WHERE study_instance_uid = @study
            """, r => (Probability: Dbl(r, 0), Urgency: Dbl(r, 1), Positive: Bool(r, 2), Critical: Bool(r, 3)), ct,
            ("@study", study)).ConfigureAwait(false))
        {
            rank = rank.With(f.Probability, f.Urgency, f.Positive, f.Critical);
        }
        await ExecAsync(conn, tx, RefreshStudySql, ct, ("@study", study), ("@priority", rank.Priority), ("@stat", rank.Stat))
            .ConfigureAwait(false);
    }

    protected async Task RefreshAllStudiesAsync(DbConnection conn, DbTransaction tx, CancellationToken ct)
    {
        foreach (var study in await QueryAsync(conn, tx, "SELECT study_instance_uid FROM studies", r => r.GetString(0), ct)
            .ConfigureAwait(false))
        {
            await RefreshStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
        }
    }
}
