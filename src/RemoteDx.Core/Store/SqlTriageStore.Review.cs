using System.Globalization;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    /// <summary>Confirms, dismisses or clears (<see cref="Decision.None"/>) the label of <paramref name="findingId"/> for
    /// its whole study: every image's finding of the same model and label gets the same decision in one transaction,
    /// audited once. Confirm and dismiss need one of those findings at or above its threshold (positive).</summary>
    public Task<ReviewResult> ReviewFindingAsync(long findingId, string decision, string by, CancellationToken ct = default)
    {
        if (!Decision.IsValid(decision))
        {
            throw new ArgumentException($"decision must be confirmed, dismissed or none, not '{decision}'", nameof(decision));
        }
        return WriteAsync(async (conn, tx) =>
        {
            var keys = await QueryAsync(conn, tx, "SELECT study_instance_uid, model, label FROM findings WHERE id = @id",
                r => (Study: r.GetString(0), Model: r.GetString(1), Label: r.GetString(2)), ct, ("@id", findingId)).ConfigureAwait(false);
            if (keys.Count == 0)
            {
                return new ReviewResult(ReviewOutcome.NoSuchFinding, []);
            }
            var (study, model, label) = keys[0];
            await LockStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
            (string, object?)[] group = [("@study", study), ("@model", model), ("@label", label)];
            const string GroupWhere = "f.study_instance_uid = @study AND f.model = @model AND f.label = @label";
            var twins = await QueryAsync(conn, tx, $"SELECT f.id, f.positive FROM findings f WHERE {GroupWhere} ORDER BY f.id",
                r => (Id: Long(r, 0), Positive: Bool(r, 1)), ct, group).ConfigureAwait(false);
            if (decision != Decision.None && !twins.Any(t => t.Positive))
            {
                return new ReviewResult(ReviewOutcome.BelowThreshold, []);
            }
            var now = DateTimeOffset.UtcNow;
            // Undo removes the label's decision rows; the audit trail keeps every decision and its undo.
            await ExecAsync(conn, tx, $"DELETE FROM reviews WHERE finding_id IN (SELECT f.id FROM findings f WHERE {GroupWhere})", ct, group)
                .ConfigureAwait(false);
            if (decision != Decision.None)
            {
                await ExecAsync(conn, tx, $"""
                    INSERT INTO reviews (finding_id, study_instance_uid, decision, reviewed_by, reviewed_at)
                    SELECT f.id, f.study_instance_uid, @decision, @by, @now FROM findings f WHERE {GroupWhere} ORDER BY f.id
                    """, ct, [.. group, ("@decision", decision), ("@by", by), ("@now", Time(now))]).ConfigureAwait(false);
            }
            var findings = new List<FindingDetail>();
            foreach (var (id, _) in twins)
            {
                findings.Add((await FindingAsync(conn, tx, id, ct).ConfigureAwait(false))!);
            }
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, @kind, @by, @study, @detail)", ct,
                ("@now", Time(now)), ("@kind", decision == Decision.None ? "finding.cleared" : "finding." + decision), ("@by", by), ("@study", study),
                ("@detail", string.Create(CultureInfo.InvariantCulture,
                    $"{model}/{label}: findings {string.Join(",", twins.Select(t => t.Id))} on {string.Join(",", findings.Select(f => f.SopInstanceUid))}")))
                .ConfigureAwait(false);
            await RefreshStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return new ReviewResult(ReviewOutcome.Recorded, findings);
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
