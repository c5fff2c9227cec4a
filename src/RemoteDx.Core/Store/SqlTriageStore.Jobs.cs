using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    public Task<int> RequeueRunningJobsAsync(CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        var studies = await QueryAsync(conn, tx, """
            UPDATE jobs SET state = 'pending', worker = NULL, lease_until = NULL, updated_at = @now
            WHERE state = 'running' RETURNING study_instance_uid
            """, r => Str(r, 0), ct, ("@now", Time(DateTimeOffset.UtcNow))).ConfigureAwait(false);
        return studies.Count;
    }, ct);

    public Task<IReadOnlyList<ClaimedJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, int maxAttempts, CancellationToken ct = default) =>
        WriteAsync<IReadOnlyList<ClaimedJob>>(async (conn, tx) =>
        {
            var now = DateTimeOffset.UtcNow;
            var until = now + lease;
            // A job whose holder died after its last allowed attempt fails here instead of being tried again.
            var abandoned = await QueryAsync(conn, tx, $"""
                UPDATE jobs SET state = 'failed', worker = NULL, lease_until = NULL, updated_at = @now,
                    last_error = 'abandoned: the worker holding it stopped (lease expired) on its last attempt'
                WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until < @now AND attempts >= @max
                             ORDER BY id LIMIT 100 {SkipLocked})
                RETURNING study_instance_uid
                """, r => Str(r, 0), ct, ("@now", Time(now)), ("@max", maxAttempts)).ConfigureAwait(false);
            foreach (var study in abandoned.OfType<string>().Distinct(StringComparer.Ordinal))
            {
                await RefreshStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
            }
            if (abandoned.Count > 0)
            {
                await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            }
            var ids = await QueryAsync(conn, tx, $"""
                UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = @worker, lease_until = @until, updated_at = @now
                WHERE id IN (SELECT id FROM jobs
                             WHERE ((state = 'pending' AND (not_before IS NULL OR not_before <= @now))
                                    OR (state = 'running' AND lease_until < @now))
                               AND attempts < @max
                             ORDER BY id LIMIT @n {SkipLocked})
                RETURNING id
                """, r => Long(r, 0), ct, ("@worker", worker), ("@until", Time(until)), ("@now", Time(now)), ("@max", maxAttempts),
                ("@n", max)).ConfigureAwait(false);
            var claimed = new List<ClaimedJob>(ids.Count);
            foreach (var id in ids.Order())
            {
                var rows = await QueryAsync(conn, tx, """
                    SELECT j.id, j.sop_instance_uid, i.study_instance_uid, i.path, j.attempts
                    FROM jobs j JOIN instances i ON i.sop_instance_uid = j.sop_instance_uid WHERE j.id = @id
                    """, r => new ClaimedJob(Long(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), Int(r, 4), worker, until),
                    ct, ("@id", id)).ConfigureAwait(false);
                claimed.AddRange(rows);
            }
            return claimed;
        }, ct);

    public Task<bool> CompleteJobAsync(ClaimedJob job, ImageScore score, IReadOnlyList<HeatmapImage> heatmaps, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            var now = Time(DateTimeOffset.UtcNow);
            await LockStudyAsync(conn, tx, job.StudyInstanceUid, ct).ConfigureAwait(false);
            var mine = await ExecAsync(conn, tx, """
                UPDATE jobs SET state = 'done', last_error = NULL, lease_until = NULL, updated_at = @now
                WHERE id = @id AND state = 'running' AND worker = @worker
                """, ct, ("@now", now), ("@id", job.Id), ("@worker", job.Worker)).ConfigureAwait(false);
            if (mine == 0)
            {
                return false;
            }
            var withHeatmap = new HashSet<(string, string)>(heatmaps.Select(h => (h.Model, h.Label)));
            foreach (var m in score.Models)
            {
                foreach (var l in m.Labels)
                {
                    // Upsert keeps a finding's id (and so its reviews) when an instance is scored again.
                    await ExecAsync(conn, tx, """
                        INSERT INTO findings (sop_instance_uid, study_instance_uid, model, model_version, model_sha256, label, probability,
                                              positive, critical, threshold, urgency, has_heatmap, scored_at)
                        VALUES (@sop, @study, @model, @version, @sha, @label, @p, @pos, @crit, @thr, @urg, @hm, @now)
                        ON CONFLICT (sop_instance_uid, model, label) DO UPDATE SET model_version = excluded.model_version,
                            model_sha256 = excluded.model_sha256, probability = excluded.probability, positive = excluded.positive,
                            critical = excluded.critical, threshold = excluded.threshold, urgency = excluded.urgency,
                            has_heatmap = excluded.has_heatmap, scored_at = excluded.scored_at
                        """, ct, ("@sop", job.SopInstanceUid), ("@study", job.StudyInstanceUid), ("@model", m.Model), ("@version", m.Version),
                        ("@sha", m.Sha256), ("@label", l.Label), ("@p", (double)l.Probability), ("@pos", l.Positive), ("@crit", l.Critical),
                        ("@thr", (double)l.Threshold), ("@urg", (double)l.Urgency), ("@hm", withHeatmap.Contains((m.Model, l.Label))),
                        ("@now", now)).ConfigureAwait(false);
                }
            }
            // Labels a new model version no longer reports go, unless a radiologist already reviewed them.
            await ExecAsync(conn, tx, """
                DELETE FROM findings WHERE sop_instance_uid = @sop AND scored_at <> @now
                    AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.finding_id = findings.id)
                """, ct, ("@sop", job.SopInstanceUid), ("@now", now)).ConfigureAwait(false);
            await ExecAsync(conn, tx, "DELETE FROM heatmaps WHERE sop_instance_uid = @sop", ct, ("@sop", job.SopInstanceUid)).ConfigureAwait(false);
            foreach (var h in heatmaps)
            {
                await ExecAsync(conn, tx, "INSERT INTO heatmaps (sop_instance_uid, model, label, png) VALUES (@sop, @model, @label, @png)",
                    ct, ("@sop", job.SopInstanceUid), ("@model", h.Model), ("@label", h.Label), ("@png", h.Png)).ConfigureAwait(false);
            }
            await ExecAsync(conn, tx, "UPDATE instances SET not_applicable = @na WHERE sop_instance_uid = @sop", ct,
                ("@na", score.NotApplicable), ("@sop", job.SopInstanceUid)).ConfigureAwait(false);
            // The study's results are due again (ResultsWriter) once nothing of it is left to score.
            await ExecAsync(conn, tx, "UPDATE studies SET scored_seq = scored_seq + 1 WHERE study_instance_uid = @study", ct,
                ("@study", job.StudyInstanceUid)).ConfigureAwait(false);
            await RefreshStudyAsync(conn, tx, job.StudyInstanceUid, ct).ConfigureAwait(false);
            await QueueStatNotificationAsync(conn, tx, job.StudyInstanceUid, now, ct).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>The first time a study turns STAT, an outbox message (no patient data) is queued in the same transaction.</summary>
    private async Task QueueStatNotificationAsync(DbConnection conn, DbTransaction tx, string study, object now, CancellationToken ct)
    {
        var rows = await QueryAsync(conn, tx, """
            SELECT stat, stat_notified, priority, calling_ae, modality FROM studies WHERE study_instance_uid = @study
            """, r => (Stat: Bool(r, 0), Notified: Bool(r, 1), Priority: Dbl(r, 2), Clinic: r.GetString(3), Modality: Str(r, 4)),
            ct, ("@study", study)).ConfigureAwait(false);
        if (rows.Count == 0 || !rows[0].Stat || rows[0].Notified || !Options.QueueStatNotifications)
        {
            return;
        }
        var labels = await QueryAsync(conn, tx, """
            SELECT model, label, MAX(probability) FROM findings WHERE study_instance_uid = @study AND positive AND critical
            GROUP BY model, label ORDER BY model, label
            """, r => new { model = r.GetString(0), label = r.GetString(1), probability = Math.Round(Dbl(r, 2), 4) }, ct,
            ("@study", study)).ConfigureAwait(false);
        var payload = JsonSerializer.Serialize(new
        {
            @event = "study.stat",
            studyInstanceUid = study,
            clinic = rows[0].Clinic,
            modality = rows[0].Modality,
            priority = Math.Round(rows[0].Priority, 4),
            findings = labels,
            at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });
        await ExecAsync(conn, tx, """
            INSERT INTO outbox (kind, payload, state, attempts, created_at, updated_at) VALUES ('study.stat', @payload, 'pending', 0, @now, @now)
            """, ct, ("@payload", payload), ("@now", now)).ConfigureAwait(false);
        await ExecAsync(conn, tx, "UPDATE studies SET stat_notified = TRUE WHERE study_instance_uid = @study", ct, ("@study", study)).ConfigureAwait(false);
    }

    public Task<JobFailure?> FailJobAsync(ClaimedJob job, string error, int maxAttempts, DateTimeOffset retryAt, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            await LockStudyAsync(conn, tx, job.StudyInstanceUid, ct).ConfigureAwait(false);
            var states = await QueryAsync(conn, tx, """
                UPDATE jobs SET state = CASE WHEN attempts >= @max THEN 'failed' ELSE 'pending' END,
                    not_before = CASE WHEN attempts >= @max THEN NULL ELSE @retry END,
                    last_error = @error, worker = NULL, lease_until = NULL, updated_at = @now
                WHERE id = @id AND state = 'running' AND worker = @worker
                RETURNING state
                """, r => r.GetString(0), ct, ("@max", maxAttempts), ("@retry", Time(retryAt)), ("@error", error),
                ("@now", Time(DateTimeOffset.UtcNow)), ("@id", job.Id), ("@worker", job.Worker)).ConfigureAwait(false);
            if (states.Count == 0)
            {
                return null;
            }
            await RefreshStudyAsync(conn, tx, job.StudyInstanceUid, ct).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            var permanent = states[0] == JobState.Failed;
            return new JobFailure(permanent, permanent ? null : retryAt);
        }, ct);

    public Task<bool> DeferJobAsync(ClaimedJob job, string reason, DateTimeOffset retryAt, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecAsync(conn, tx, """
            UPDATE jobs SET state = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, not_before = @retry,
                last_error = @reason, worker = NULL, lease_until = NULL, updated_at = @now
            WHERE id = @id AND state = 'running' AND worker = @worker
            """, ct, ("@retry", Time(retryAt)), ("@reason", reason), ("@now", Time(DateTimeOffset.UtcNow)), ("@id", job.Id),
            ("@worker", job.Worker)).ConfigureAwait(false) == 1, ct);

    public Task<IReadOnlyList<JobInfo>> JobsAsync(string? state, int limit, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<JobInfo>>(async conn => await QueryAsync(conn, null, $"""
            SELECT id, sop_instance_uid, study_instance_uid, state, attempts, last_error, not_before, created_at, updated_at
            FROM jobs WHERE {(state is null ? "state IN ('pending', 'running', 'failed')" : "state = @state")}
            ORDER BY id DESC LIMIT @n
            """, ReadJob, ct, ("@state", state), ("@n", limit)).ConfigureAwait(false), ct);

    private static JobInfo ReadJob(DbDataReader r) =>
        new(Long(r, 0), r.GetString(1), Str(r, 2) ?? "", r.GetString(3), Int(r, 4), Str(r, 5), NTime(r, 6), TimeAt(r, 7), TimeAt(r, 8));

    public Task<IReadOnlyDictionary<string, long>> JobCountsAsync(CancellationToken ct = default) =>
        ReadAsync<IReadOnlyDictionary<string, long>>(async conn =>
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                [JobState.Pending] = 0, [JobState.Running] = 0, [JobState.Done] = 0, [JobState.Failed] = 0,
            };
            foreach (var (s, n) in await QueryAsync(conn, null, "SELECT state, COUNT(*) FROM jobs GROUP BY state",
                r => (r.GetString(0), Long(r, 1)), ct).ConfigureAwait(false))
            {
                counts[s] = n;
            }
            return counts;
        }, ct);

    // ---------------------------------------------------------------- outbox

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(string worker, int max, TimeSpan lease, CancellationToken ct = default) =>
        WriteAsync<IReadOnlyList<OutboxMessage>>(async (conn, tx) =>
        {
            var now = DateTimeOffset.UtcNow;
            return await QueryAsync(conn, tx, $"""
                UPDATE outbox SET state = 'sending', attempts = attempts + 1, worker = @worker, lease_until = @until, updated_at = @now
                WHERE id IN (SELECT id FROM outbox
                             WHERE (state = 'pending' AND (not_before IS NULL OR not_before <= @now))
                                OR (state = 'sending' AND lease_until < @now)
                             ORDER BY id LIMIT @n {SkipLocked})
                RETURNING id, kind, payload, attempts
                """, r => new OutboxMessage(Long(r, 0), r.GetString(1), r.GetString(2), Int(r, 3)), ct, ("@worker", worker),
                ("@until", Time(now + lease)), ("@now", Time(now)), ("@n", max)).ConfigureAwait(false);
        }, ct);

    public Task OutboxSentAsync(long id, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, "UPDATE outbox SET state = 'sent', last_error = NULL, lease_until = NULL, updated_at = @now WHERE id = @id",
            ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@id", id)).ConfigureAwait(false), ct);

    public Task OutboxFailedAsync(long id, string error, int maxAttempts, DateTimeOffset retryAt, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecAsync(conn, tx, """
            UPDATE outbox SET state = CASE WHEN attempts >= @max THEN 'failed' ELSE 'pending' END, not_before = @retry,
                last_error = @error, lease_until = NULL, updated_at = @now
            WHERE id = @id
            """, ct, ("@max", maxAttempts), ("@retry", Time(retryAt)), ("@error", error), ("@now", Time(DateTimeOffset.UtcNow)),
            ("@id", id)).ConfigureAwait(false), ct);
}
