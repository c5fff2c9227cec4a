using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using RemoteDx.Core.Archive;

namespace RemoteDx.Core.Store;

/// <summary>SQLite index and job queue (WAL, synchronous=FULL). Writes from concurrent associations are gathered
/// by one writer into a single transaction, so they share one fsync (group commit).</summary>
public sealed class SqliteIngestStore : IIngestStore
{
    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly int _maxBatch;

    public SqliteIngestStore(string databasePath, int maxBatch = 256)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        _maxBatch = maxBatch;
        _writer = Task.Run(WriterLoopAsync);
    }

    private sealed record PendingWrite(Action<SqliteConnection, SqliteTransaction> Apply, TaskCompletionSource Done);

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await Exec(conn, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)").ConfigureAwait(false);
        var current = Convert.ToInt32(await Scalar(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").ConfigureAwait(false), CultureInfo.InvariantCulture);
        foreach (var (version, sql) in Migrations.All)
        {
            if (version <= current)
            {
                continue;
            }
            await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
            await Exec(conn, tx, sql).ConfigureAwait(false);
            await Exec(conn, tx, $"INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, '{DateTimeOffset.UtcNow:O}')").ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    public Task RecordInstanceAsync(IngestRecord record, CancellationToken ct = default) => Enqueue((conn, tx) =>
    {
        var a = record.Archive;
        var at = a.Attributes;
        var now = record.ReceivedAt.ToString("O", CultureInfo.InvariantCulture);
        Run(conn, tx, """
            INSERT INTO studies (study_instance_uid, patient_id, patient_name, study_date, study_description, institution_name,
                                 calling_ae, modality, first_received_at, last_received_at)
            VALUES ($study, $pid, $pname, $sdate, $sdesc, $inst, $ae, $mod, $now, $now)
            ON CONFLICT (study_instance_uid) DO UPDATE SET last_received_at = $now,
                modality = COALESCE(studies.modality, excluded.modality)
            """, ("$study", a.StudyInstanceUid), ("$pid", at.PatientId), ("$pname", at.PatientName), ("$sdate", at.StudyDate),
            ("$sdesc", at.StudyDescription), ("$inst", at.InstitutionName), ("$ae", record.CallingAE), ("$mod", at.Modality), ("$now", now));
        Run(conn, tx, """
            INSERT INTO series (series_instance_uid, study_instance_uid, modality, body_part_examined)
            VALUES ($series, $study, $mod, $body)
            ON CONFLICT (series_instance_uid) DO NOTHING
            """, ("$series", a.SeriesInstanceUid), ("$study", a.StudyInstanceUid), ("$mod", at.Modality), ("$body", at.BodyPartExamined));
        Run(conn, tx, """
            INSERT INTO instances (sop_instance_uid, series_instance_uid, study_instance_uid, sop_class_uid, transfer_syntax_uid,
                                   path, size, instance_number, rows, columns, frames, view_position, calling_ae, association_id,
                                   received_at, version)
            VALUES ($sop, $series, $study, $class, $ts, $path, $size, $num, $rows, $cols, $frames, $view, $ae, $assoc, $now, 1)
            ON CONFLICT (sop_instance_uid) DO UPDATE SET path = excluded.path, size = excluded.size,
                transfer_syntax_uid = excluded.transfer_syntax_uid, received_at = excluded.received_at,
                version = CASE WHEN $outcome = 'Identical' THEN instances.version ELSE instances.version + 1 END
            """, ("$sop", a.SopInstanceUid), ("$series", a.SeriesInstanceUid), ("$study", a.StudyInstanceUid), ("$class", a.SopClassUid),
            ("$ts", a.TransferSyntaxUid), ("$path", a.Path), ("$size", a.Size), ("$num", at.InstanceNumber), ("$rows", at.Rows),
            ("$cols", at.Columns), ("$frames", at.Frames), ("$view", at.ViewPosition), ("$ae", record.CallingAE),
            ("$assoc", record.AssociationId), ("$now", now), ("$outcome", a.Outcome.ToString()));
        if (a.Outcome != ArchiveOutcome.Identical)
        {
            Run(conn, tx, "INSERT INTO jobs (sop_instance_uid, state, attempts, created_at, updated_at) VALUES ($sop, 'pending', 0, $now, $now)",
                ("$sop", a.SopInstanceUid), ("$now", now));
        }
        else
        {
            // Identical bytes change nothing, unless the first copy was renamed into place but the process died before
            // this commit (never acknowledged, so the peer re-sent it): then it still needs its job.
            Run(conn, tx, """
                INSERT INTO jobs (sop_instance_uid, state, attempts, created_at, updated_at)
                SELECT $sop, 'pending', 0, $now, $now WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE sop_instance_uid = $sop)
                """, ("$sop", a.SopInstanceUid), ("$now", now));
        }
        if (a.Outcome == ArchiveOutcome.Replaced)
        {
            Run(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES ($now, 'instance-replaced', $ae, $sop, $assoc)",
                ("$now", now), ("$ae", record.CallingAE), ("$sop", a.SopInstanceUid), ("$assoc", record.AssociationId));
        }
    }, ct);

    public Task RecordAssociationAsync(AssociationAudit audit, CancellationToken ct = default) => Enqueue((conn, tx) =>
        Run(conn, tx, """
            INSERT INTO associations (id, calling_ae, called_ae, peer, tls, instances, bytes, statuses, outcome, started_at, duration_ms)
            VALUES ($id, $calling, $called, $peer, $tls, $n, $bytes, $statuses, $outcome, $started, $ms)
            ON CONFLICT (id) DO NOTHING
            """, ("$id", audit.Id), ("$calling", audit.CallingAE), ("$called", audit.CalledAE), ("$peer", audit.Peer),
            ("$tls", audit.Tls ? 1 : 0), ("$n", audit.Instances), ("$bytes", audit.Bytes), ("$statuses", audit.Statuses),
            ("$outcome", audit.Outcome), ("$started", audit.Started.ToString("O", CultureInfo.InvariantCulture)),
            ("$ms", (long)audit.Duration.TotalMilliseconds)), ct);

    public async Task<IReadOnlyList<PendingJob>> UnfinishedJobsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT id, sop_instance_uid, state, attempts FROM jobs WHERE state IN ('pending', 'running') ORDER BY id";
        var result = new List<PendingJob>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(new PendingJob(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3)));
        }
        return result;
    }

    public async Task<long> CountInstancesAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        return Convert.ToInt64(await Scalar(conn, "SELECT COUNT(*) FROM instances").ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private async Task Enqueue(Action<SqliteConnection, SqliteTransaction> apply, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writes.Writer.WriteAsync(new PendingWrite(apply, done), ct).ConfigureAwait(false);
        await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

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
                try
                {
                    conn ??= await OpenAsync(CancellationToken.None).ConfigureAwait(false);
                    using var tx = conn.BeginTransaction();
                    var failed = new List<(PendingWrite, Exception)>();
                    foreach (var w in batch)
                    {
                        using var save = new SqliteCommand("SAVEPOINT one", conn, tx);
                        save.ExecuteNonQuery();
                        try
                        {
                            w.Apply(conn, tx);
                            using var rel = new SqliteCommand("RELEASE one", conn, tx);
                            rel.ExecuteNonQuery();
                        }
                        catch (SqliteException ex)
                        {
                            using var rb = new SqliteCommand("ROLLBACK TO one; RELEASE one", conn, tx);
                            rb.ExecuteNonQuery();
                            failed.Add((w, ex));
                        }
                    }
                    tx.Commit();
                    foreach (var w in batch)
                    {
                        var f = failed.FirstOrDefault(x => ReferenceEquals(x.Item1, w));
                        if (f.Item2 is null)
                        {
                            w.Done.TrySetResult();
                        }
                        else
                        {
                            w.Done.TrySetException(f.Item2);
                        }
                    }
                }
                catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
                {
                    foreach (var w in batch)
                    {
                        w.Done.TrySetException(ex);
                    }
                    conn?.Dispose();
                    conn = null;
                }
            }
        }
        finally
        {
            conn?.Dispose();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        await Exec(conn, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000").ConfigureAwait(false);
        return conn;
    }

    private static void Run(SqliteConnection conn, SqliteTransaction tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = new SqliteCommand(sql, conn, tx);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        cmd.ExecuteNonQuery();
    }

    private static async Task Exec(SqliteConnection conn, SqliteTransaction? tx, string sql)
    {
        await using var cmd = new SqliteCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static async Task<object?> Scalar(SqliteConnection conn, string sql)
    {
        await using var cmd = new SqliteCommand(sql, conn);
        return await cmd.ExecuteScalarAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }
}
