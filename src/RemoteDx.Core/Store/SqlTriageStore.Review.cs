using System.Globalization;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    public Task<FindingDetail?> ReviewFindingAsync(long findingId, string decision, string by, CancellationToken ct = default)
    {
        if (decision is not ("confirmed" or "dismissed"))
        {
            throw new ArgumentException($"decision must be confirmed or dismissed, not '{decision}'", nameof(decision));
        }
        return WriteAsync(async (conn, tx) =>
        {
            var study = await ScalarAsync(conn, tx, "SELECT study_instance_uid FROM findings WHERE id = @id", ct, ("@id", findingId)).ConfigureAwait(false) as string;
            if (study is null)
            {
                return null;
            }
            await LockStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            await ExecAsync(conn, tx, """
                INSERT INTO reviews (finding_id, study_instance_uid, decision, reviewed_by, reviewed_at) VALUES (@id, @study, @decision, @by, @now)
                """, ct, ("@id", findingId), ("@study", study), ("@decision", decision), ("@by", by), ("@now", Time(now))).ConfigureAwait(false);
            var finding = await FindingAsync(conn, tx, findingId, ct).ConfigureAwait(false);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, @kind, @by, @study, @detail)", ct,
                ("@now", Time(now)), ("@kind", "finding." + decision), ("@by", by), ("@study", study),
                ("@detail", string.Create(CultureInfo.InvariantCulture, $"finding {findingId} {finding!.Model}/{finding.Label} on {finding.SopInstanceUid}"))).ConfigureAwait(false);
            await RefreshStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return finding;
        }, ct);
    }

    public Task<CommentInfo?> AddCommentAsync(string studyInstanceUid, string by, string text, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            await LockStudyAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
            if (await ScalarAsync(conn, tx, "SELECT 1 FROM studies WHERE study_instance_uid = @study", ct, ("@study", studyInstanceUid)).ConfigureAwait(false) is null)
            {
                return null;
            }
            var now = DateTimeOffset.UtcNow;
            var id = Convert.ToInt64(await ScalarAsync(conn, tx, """
                INSERT INTO comments (study_instance_uid, author, at, text) VALUES (@study, @by, @now, @text) RETURNING id
                """, ct, ("@study", studyInstanceUid), ("@by", by), ("@now", Time(now)), ("@text", text)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'study.commented', @by, @study, @detail)",
                ct, ("@now", Time(now)), ("@by", by), ("@study", studyInstanceUid), ("@detail", "comment " + id.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
            await RefreshStudyAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return (CommentInfo?)new CommentInfo(id, by, now, text);
        }, ct);

    public async Task<(bool Found, string? Next)> MarkReviewedAsync(string studyInstanceUid, string by, Scope scope, CancellationToken ct = default)
    {
        var found = await WriteAsync(async (conn, tx) =>
        {
            await LockStudyAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
            var now = Time(DateTimeOffset.UtcNow);
            var n = await ExecAsync(conn, tx, """
                UPDATE studies SET reviewed_by = @by, reviewed_at = @now, reviewed_seq = reviewed_seq + 1 WHERE study_instance_uid = @study
                """, ct,
                ("@by", by), ("@now", now), ("@study", studyInstanceUid)).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'study.reviewed', @by, @study, NULL)",
                ct, ("@now", now), ("@by", by), ("@study", studyInstanceUid)).ConfigureAwait(false);
            await RefreshStudyAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        if (!found)
        {
            return (false, null);
        }
        var next = await ReadAsync(async conn =>
        {
            var where = new System.Text.StringBuilder("s.reviewed_at IS NULL AND s.study_instance_uid <> @study");
            var args = new List<(string, object?)> { ("@study", studyInstanceUid) };
            AddScope(scope, where, args);
            return await ScalarAsync(conn, null, $"SELECT s.study_instance_uid FROM studies s WHERE {where} ORDER BY {RankOrder} LIMIT 1", ct,
                [.. args]).ConfigureAwait(false) as string;
        }, ct).ConfigureAwait(false);
        return (true, next);
    }

    public Task AuditAsync(string kind, string? actor, string? subject, string? detail, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecAsync(conn, tx,
            "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, @kind, @actor, @subject, @detail)", ct,
            ("@now", Time(DateTimeOffset.UtcNow)), ("@kind", kind), ("@actor", actor), ("@subject", subject), ("@detail", detail)).ConfigureAwait(false), ct);

    public Task<(IReadOnlyList<AuditEvent> Items, long Total)> AuditQueryAsync(string? study, int page, int pageSize, CancellationToken ct = default) =>
        AuditQueryAsync(new AuditQuery { Subject = study, Page = page, PageSize = pageSize }, ct);
}
