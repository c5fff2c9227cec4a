using System.Data.Common;
using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    public Task<IReadOnlyList<ResultsDue>> ResultsDueAsync(QuietPeriod quiet, DateTimeOffset now, int max, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<ResultsDue>>(async conn =>
        {
            var due = await QueryAsync(conn, null, """
                SELECT s.study_instance_uid, s.scored_seq FROM studies s
                WHERE s.scored_seq > s.results_seq AND s.last_received_at <= @upTo
                  AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.study_instance_uid = s.study_instance_uid AND j.state IN ('pending', 'running'))
                  AND EXISTS (SELECT 1 FROM findings f WHERE f.study_instance_uid = s.study_instance_uid)
                ORDER BY s.last_received_at LIMIT @n
                """, r => new ResultsDue(r.GetString(0), false, Long(r, 1)), ct, ("@upTo", Time(quiet.CompleteUpTo(now))), ("@n", max))
                .ConfigureAwait(false);
            due.AddRange(await QueryAsync(conn, null, """
                SELECT s.study_instance_uid, s.reviewed_seq FROM studies s
                WHERE s.reviewed_seq > s.verified_seq AND s.results_seq = s.scored_seq
                  AND EXISTS (SELECT 1 FROM results r WHERE r.study_instance_uid = s.study_instance_uid AND r.kind = 'sr')
                ORDER BY s.reviewed_at LIMIT @n
                """, r => new ResultsDue(r.GetString(0), true, Long(r, 1)), ct, ("@n", max)).ConfigureAwait(false));
            return due;
        }, ct);

    public Task<ResultContext?> ResultContextAsync(string studyInstanceUid, CancellationToken ct = default) => ReadAsync(async conn =>
    {
        await using var tx = await BeginReadAsync(conn, ct).ConfigureAwait(false);
        var head = await QueryAsync(conn, tx, $"""
            SELECT {StudyClinic}, s.stat, s.failed_count, s.reviewed_by, s.reviewed_at FROM studies s WHERE s.study_instance_uid = @study
            """, r => (Clinic: r.GetString(0), Stat: Bool(r, 1), Failed: Int(r, 2), By: Str(r, 3), At: NTime(r, 4)), ct,
            ("@study", studyInstanceUid)).ConfigureAwait(false);
        if (head.Count == 0)
        {
            return null;
        }
        var instances = await QueryAsync(conn, tx, """
            SELECT sop_instance_uid, path FROM instances WHERE study_instance_uid = @study ORDER BY instance_number, sop_instance_uid
            """, r => (Sop: r.GetString(0), Path: r.GetString(1)), ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
        var reviews = new Dictionary<long, ReviewInfo>();
        foreach (var (id, review) in await QueryAsync(conn, tx, """
            SELECT finding_id, decision, reviewed_by, reviewed_at FROM reviews WHERE study_instance_uid = @study ORDER BY id
            """, r => (Long(r, 0), new ReviewInfo(r.GetString(1), r.GetString(2), TimeAt(r, 3))), ct, ("@study", studyInstanceUid)).ConfigureAwait(false))
        {
            reviews[id] = review;
        }
        var findings = (await QueryAsync(conn, tx, $"{FindingSelect} WHERE f.study_instance_uid = @study ORDER BY f.model, f.label",
            r => ReadFinding(r, null), ct, ("@study", studyInstanceUid)).ConfigureAwait(false))
            .Select(f => f with { Review = reviews.GetValueOrDefault(f.Id) })
            .ToLookup(f => f.SopInstanceUid, StringComparer.Ordinal);
        var heatmaps = (await QueryAsync(conn, tx, """
            SELECT h.sop_instance_uid, h.model, h.label, h.png FROM heatmaps h JOIN instances i ON i.sop_instance_uid = h.sop_instance_uid
            WHERE i.study_instance_uid = @study
            """, r => (Sop: r.GetString(0), Map: new HeatmapImage(r.GetString(1), r.GetString(2), (byte[])r.GetValue(3))), ct,
            ("@study", studyInstanceUid)).ConfigureAwait(false)).ToLookup(h => h.Sop, h => h.Map, StringComparer.Ordinal);
        var comments = await QueryAsync(conn, tx, "SELECT id, author, at, text FROM comments WHERE study_instance_uid = @study ORDER BY id",
            r => new CommentInfo(Long(r, 0), r.GetString(1), TimeAt(r, 2), r.GetString(3)), ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
        var results = await ResultObjectsAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        var h0 = head[0];
        return (ResultContext?)new ResultContext(studyInstanceUid, h0.Clinic, h0.Stat, h0.Failed == 0, h0.By, h0.At, comments,
            instances.Select(i => new ResultSource(i.Sop, i.Path, [.. findings[i.Sop]], [.. heatmaps[i.Sop]])).ToList(), results);
    }, ct);

    private static Task<List<ResultObject>> ResultObjectsAsync(DbConnection conn, DbTransaction? tx, string study, CancellationToken ct) =>
        QueryAsync(conn, tx, """
            SELECT sop_instance_uid, study_instance_uid, series_instance_uid, sop_class_uid, kind, model, modality, series_number,
                   series_description, instance_number, path, created_at
            FROM results WHERE study_instance_uid = @study ORDER BY created_at, series_number, instance_number, sop_instance_uid
            """, r => new ResultObject(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetString(6), Int(r, 7), Str(r, 8) ?? "", Int(r, 9), r.GetString(10), TimeAt(r, 11)), ct, ("@study", study));

    private static Task<List<DeliveryInfo>> DeliveriesAsync(DbConnection conn, DbTransaction? tx, string study, CancellationToken ct) =>
        QueryAsync(conn, tx, """
            SELECT d.id, d.destination, d.sop_instance_uid, r.kind, d.state, d.attempts, d.last_error, d.updated_at,
                   CASE WHEN d.state = 'pending' THEN d.not_before END
            FROM result_deliveries d JOIN results r ON r.sop_instance_uid = d.sop_instance_uid
            WHERE d.study_instance_uid = @study ORDER BY d.id
            """, r => new DeliveryInfo(Long(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Int(r, 5), Str(r, 6),
                TimeAt(r, 7), NTime(r, 8)), ct, ("@study", study));

    public Task<IReadOnlyList<DeliveryInfo>> DeliveriesAsync(string studyInstanceUid, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<DeliveryInfo>>(async conn => await DeliveriesAsync(conn, null, studyInstanceUid, ct).ConfigureAwait(false), ct);

    public Task<bool> RecordResultsAsync(ResultsDue due, IReadOnlyList<ResultObject> objects, IReadOnlyList<string> destinations,
        CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        await LockStudyAsync(conn, tx, due.StudyInstanceUid, ct).ConfigureAwait(false);
        var mark = due.Verified
            ? "UPDATE studies SET verified_seq = @seq WHERE study_instance_uid = @study AND reviewed_seq = @seq AND verified_seq < @seq"
            : "UPDATE studies SET results_seq = @seq WHERE study_instance_uid = @study AND scored_seq = @seq AND results_seq < @seq";
        if (await ExecAsync(conn, tx, mark, ct, ("@seq", due.Seq), ("@study", due.StudyInstanceUid)).ConfigureAwait(false) == 0)
        {
            return false;
        }
        var now = Time(DateTimeOffset.UtcNow);
        foreach (var o in objects)
        {
            await ExecAsync(conn, tx, """
                INSERT INTO results (sop_instance_uid, study_instance_uid, series_instance_uid, sop_class_uid, kind, model, modality,
                                     series_number, series_description, instance_number, path, created_at)
                VALUES (@sop, @study, @series, @class, @kind, @model, @mod, @snum, @sdesc, @inum, @path, @at)
                """, ct, ("@sop", o.SopInstanceUid), ("@study", o.StudyInstanceUid), ("@series", o.SeriesInstanceUid), ("@class", o.SopClassUid),
                ("@kind", o.Kind), ("@model", o.Model), ("@mod", o.Modality), ("@snum", o.SeriesNumber), ("@sdesc", o.SeriesDescription),
                ("@inum", o.InstanceNumber), ("@path", o.Path), ("@at", Time(o.CreatedAt))).ConfigureAwait(false);
            foreach (var d in destinations)
            {
                await ExecAsync(conn, tx, """
                    INSERT INTO result_deliveries (sop_instance_uid, study_instance_uid, destination, state, attempts, created_at, updated_at)
                    VALUES (@sop, @study, @dest, 'pending', 0, @now, @now)
                    """, ct, ("@sop", o.SopInstanceUid), ("@study", o.StudyInstanceUid), ("@dest", d), ("@now", now)).ConfigureAwait(false);
            }
        }
        await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, @kind, NULL, @study, @detail)", ct,
            ("@now", now), ("@kind", due.Verified ? "results.verified" : "results.written"), ("@study", due.StudyInstanceUid),
            ("@detail", string.Join(",", objects.Select(o => o.Kind + ":" + o.SopInstanceUid)))).ConfigureAwait(false);
        await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
        return true;
    }, ct);

    public Task<IReadOnlyList<ClaimedDelivery>> ClaimDeliveriesAsync(string destination, string worker, int max, TimeSpan lease,
        CancellationToken ct = default) => WriteAsync<IReadOnlyList<ClaimedDelivery>>(async (conn, tx) =>
    {
        var now = DateTimeOffset.UtcNow;
        var ids = await QueryAsync(conn, tx, $"""
            UPDATE result_deliveries SET state = 'sending', attempts = attempts + 1, worker = @worker, lease_until = @until, updated_at = @now
            WHERE id IN (SELECT id FROM result_deliveries
                         WHERE destination = @dest AND ((state = 'pending' AND (not_before IS NULL OR not_before <= @now))
                                                        OR (state = 'sending' AND lease_until < @now))
                         ORDER BY id LIMIT @n {SkipLocked})
            RETURNING id
            """, r => Long(r, 0), ct, ("@worker", worker), ("@until", Time(now + lease)), ("@now", Time(now)), ("@dest", destination),
            ("@n", max)).ConfigureAwait(false);
        var claimed = new List<ClaimedDelivery>(ids.Count);
        foreach (var id in ids.Order())
        {
            claimed.AddRange(await QueryAsync(conn, tx, """
                SELECT d.id, d.destination, d.sop_instance_uid, d.study_instance_uid, r.path, d.attempts
                FROM result_deliveries d JOIN results r ON r.sop_instance_uid = d.sop_instance_uid WHERE d.id = @id
                """, r => new ClaimedDelivery(Long(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Int(r, 5)), ct,
                ("@id", id)).ConfigureAwait(false));
        }
        return claimed;
    }, ct);

    public Task DeliverySentAsync(long id, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        await ExecAsync(conn, tx, """
            UPDATE result_deliveries SET state = 'sent', last_error = NULL, lease_until = NULL, worker = NULL, updated_at = @now WHERE id = @id
            """, ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@id", id)).ConfigureAwait(false);
        await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
        return true;
    }, ct);

    public Task<DeliveryFailure> DeliveryFailedAsync(long id, string error, int maxAttempts, DateTimeOffset retryAt, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            var states = await QueryAsync(conn, tx, """
                UPDATE result_deliveries SET state = CASE WHEN attempts >= @max THEN 'failed' ELSE 'pending' END,
                    not_before = CASE WHEN attempts >= @max THEN NULL ELSE @retry END,
                    last_error = @error, lease_until = NULL, worker = NULL, updated_at = @now
                WHERE id = @id RETURNING state
                """, r => r.GetString(0), ct, ("@max", maxAttempts), ("@retry", Time(retryAt)), ("@error", error),
                ("@now", Time(DateTimeOffset.UtcNow)), ("@id", id)).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            var permanent = states.Count == 0 || states[0] == "failed";
            return new DeliveryFailure(permanent, permanent ? null : retryAt);
        }, ct);
}
