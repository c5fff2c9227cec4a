using System.Globalization;

namespace RemoteDx.Core.Store;

/// <summary>What the admin screens change and list (issue 18 item 7): accounts, the filtered audit trail, retrying a
/// failed job or delivery. Every change is audited with the admin as actor, in the transaction that makes it.</summary>
public abstract partial class SqlTriageStore
{
    private const string AuditInsert = "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, @kind, @actor, @subject, @detail)";

    private Task AuditInTxAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, string kind, string? actor,
        string? subject, string? detail, CancellationToken ct) =>
        ExecAsync(conn, tx, AuditInsert, ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@kind", kind), ("@actor", actor), ("@subject", subject),
            ("@detail", detail));

    public Task<UserChange> UpdateUserAsync(string username, UserUpdate update, string actor, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            // Touching every admin row first serialises concurrent admin changes (PostgreSQL: row locks until commit;
            // SQLite: one writer anyway), so two admins demoting each other cannot both see the other one left.
            await ExecAsync(conn, tx, "UPDATE users SET role = role WHERE role = 'admin'", ct).ConfigureAwait(false);
            var current = (await QueryAsync(conn, tx, $"{UserSelect} WHERE u.username = @u", ReadUser, ct, ("@u", username)).ConfigureAwait(false))
                .FirstOrDefault();
            if (current is null)
            {
                return new UserChange(UserChangeStatus.NotFound);
            }
            var role = update.Role ?? current.Role;
            IReadOnlyList<string> clinics = update.Clinics ?? (role == Roles.Clinic ? current.Clinics : []);
            if (AccountRules.RoleClinicsError(role, clinics) is { } error)
            {
                return new UserChange(UserChangeStatus.Invalid, current, error);
            }
            var disabled = update.Disabled ?? current.Disabled;
            if (current.Role == Roles.Admin && !current.Disabled && (role != Roles.Admin || disabled))
            {
                var others = Convert.ToInt64(await ScalarAsync(conn, tx,
                    "SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled AND username <> @u", ct, ("@u", username)).ConfigureAwait(false),
                    CultureInfo.InvariantCulture);
                if (others == 0)
                {
                    return new UserChange(UserChangeStatus.LastAdmin, current, "no enabled admin would be left");
                }
            }
            await ExecAsync(conn, tx, "UPDATE users SET role = @role, clinics = @clinics, disabled = @disabled WHERE username = @u", ct,
                ("@role", role), ("@clinics", JoinClinics(clinics)), ("@disabled", disabled), ("@u", username)).ConfigureAwait(false);
            if (role != current.Role)
            {
                await AuditInTxAsync(conn, tx, "user.role", actor, username, current.Role + " -> " + role, ct).ConfigureAwait(false);
            }
            if (!clinics.SequenceEqual(current.Clinics, StringComparer.Ordinal))
            {
                await AuditInTxAsync(conn, tx, "user.clinics", actor, username, JoinClinics(clinics), ct).ConfigureAwait(false);
            }
            if (disabled != current.Disabled)
            {
                await AuditInTxAsync(conn, tx, disabled ? "user.disabled" : "user.enabled", actor, username, null, ct).ConfigureAwait(false);
            }
            if (disabled || role != current.Role)
            {
                // A disabled account's sessions end; so do those opened under another role (the next request signs in
                // again and sees the new role from the start).
                await ExecAsync(conn, tx, "DELETE FROM sessions WHERE username = @u", ct, ("@u", username)).ConfigureAwait(false);
            }
            return new UserChange(UserChangeStatus.Changed, current with { Role = role, Clinics = clinics, Disabled = disabled });
        }, ct);

    public Task<(IReadOnlyList<AuditEvent> Items, long Total)> AuditQueryAsync(AuditQuery query, CancellationToken ct = default) =>
        ReadAsync(async conn =>
        {
            var where = new List<string>();
            var args = new List<(string, object?)>();
            if (query.Kind is { } kind)
            {
                where.Add("(kind = @kind OR kind LIKE @kindLike)");
                args.Add(("@kind", kind));
                // Kinds are dotted lower-case words (checked by the caller), so they carry no LIKE wildcard.
                args.Add(("@kindLike", kind + ".%"));
            }
            if (query.Actor is { } actor)
            {
                where.Add("actor = @actor");
                args.Add(("@actor", actor));
            }
            if (query.Subject is { } subject)
            {
                where.Add("subject = @subject");
                args.Add(("@subject", subject));
            }
            if (query.From is { } from)
            {
                where.Add("at >= @from");
                args.Add(("@from", Time(from)));
            }
            if (query.To is { } to)
            {
                where.Add("at < @to");
                args.Add(("@to", Time(to)));
            }
            var filter = where.Count == 0 ? "1 = 1" : string.Join(" AND ", where);
            var total = Convert.ToInt64(await ScalarAsync(conn, null, $"SELECT COUNT(*) FROM audit_events WHERE {filter}", ct, [.. args]).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
            var pageSize = Math.Clamp(query.PageSize, 1, 500);
            var items = await QueryAsync(conn, null, $"""
                SELECT at, kind, actor, subject, detail FROM audit_events WHERE {filter} ORDER BY id DESC LIMIT @limit OFFSET @offset
                """, r => new AuditEvent(TimeAt(r, 0), r.GetString(1), Str(r, 2), Str(r, 3), Str(r, 4)), ct,
                [.. args, ("@limit", pageSize), ("@offset", (Math.Max(1, query.Page) - 1) * (long)pageSize)]).ConfigureAwait(false);
            return ((IReadOnlyList<AuditEvent>)items, total);
        }, ct);

    public Task<RetryOutcome> RetryJobAsync(long jobId, string actor, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        var job = (await QueryAsync(conn, tx, """
            SELECT j.state, j.sop_instance_uid, j.study_instance_uid,
                   NOT EXISTS (SELECT 1 FROM jobs k WHERE k.sop_instance_uid = j.sop_instance_uid AND k.id > j.id)
            FROM jobs j WHERE j.id = @id
            """, r => (State: r.GetString(0), Sop: r.GetString(1), Study: Str(r, 2), Latest: Bool(r, 3)), ct, ("@id", jobId)).ConfigureAwait(false))
            .Select(j => ((string State, string Sop, string? Study, bool Latest)?)j).FirstOrDefault();
        if (job is not { } j)
        {
            return RetryOutcome.NotFound;
        }
        // Only the instance's latest job: an older failure was already superseded by a newer copy of the image.
        if (j.State != JobState.Failed || !j.Latest)
        {
            return RetryOutcome.NotRetryable;
        }
        if (j.Study is { } lockStudy)
        {
            await LockStudyAsync(conn, tx, lockStudy, ct).ConfigureAwait(false);
        }
        // A fresh set of attempts; the last error stays until the next attempt replaces it.
        var n = await ExecAsync(conn, tx, """
            UPDATE jobs SET state = 'pending', attempts = 0, not_before = NULL, worker = NULL, lease_until = NULL, updated_at = @now
            WHERE id = @id AND state = 'failed'
            """, ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@id", jobId)).ConfigureAwait(false);
        if (n == 0)
        {
            return RetryOutcome.NotRetryable;
        }
        if (j.Study is { } study)
        {
            await RefreshStudyAsync(conn, tx, study, ct).ConfigureAwait(false);
        }
        await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
        await AuditInTxAsync(conn, tx, "job.retried", actor, j.Study ?? j.Sop, "job " + jobId.ToString(CultureInfo.InvariantCulture) + " " + j.Sop, ct)
            .ConfigureAwait(false);
        return RetryOutcome.Retried;
    }, ct);

    public Task<IReadOnlyList<DeliveryRow>> DeliveryQueueAsync(string? state, int limit, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<DeliveryRow>>(async conn => await QueryAsync(conn, null, $"""
            SELECT d.id, d.destination, d.sop_instance_uid, r.kind, d.state, d.attempts, d.last_error, d.updated_at,
                   CASE WHEN d.state = 'pending' THEN d.not_before END, d.study_instance_uid, COALESCE(o.clinic, '')
            FROM result_deliveries d JOIN results r ON r.sop_instance_uid = d.sop_instance_uid
                LEFT JOIN study_owners o ON o.study_instance_uid = d.study_instance_uid
            WHERE {(state is null ? "d.state IN ('pending', 'sending', 'failed')" : "d.state = @state")}
            ORDER BY d.id DESC LIMIT @n
            """, r => new DeliveryRow(r.GetString(9), r.GetString(10), new DeliveryInfo(Long(r, 0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.GetString(4), Int(r, 5), Str(r, 6), TimeAt(r, 7), NTime(r, 8))), ct, ("@state", state), ("@n", limit)).ConfigureAwait(false), ct);

    public Task<RetryOutcome> RetryDeliveryAsync(long deliveryId, string actor, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        var found = (await QueryAsync(conn, tx, "SELECT state, study_instance_uid, destination FROM result_deliveries WHERE id = @id",
            r => (State: r.GetString(0), Study: r.GetString(1), Destination: r.GetString(2)), ct, ("@id", deliveryId)).ConfigureAwait(false));
        if (found.Count == 0)
        {
            return RetryOutcome.NotFound;
        }
        // A failed delivery gets a fresh set of attempts; a pending one waiting out its backoff is due now.
        var n = await ExecAsync(conn, tx, """
            UPDATE result_deliveries SET state = 'pending', attempts = CASE WHEN state = 'failed' THEN 0 ELSE attempts END,
                not_before = NULL, updated_at = @now
            WHERE id = @id AND state IN ('failed', 'pending')
            """, ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@id", deliveryId)).ConfigureAwait(false);
        if (n == 0)
        {
            return RetryOutcome.NotRetryable;
        }
        await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
        await AuditInTxAsync(conn, tx, "delivery.retried", actor, found[0].Study,
            "delivery " + deliveryId.ToString(CultureInfo.InvariantCulture) + " to " + found[0].Destination, ct).ConfigureAwait(false);
        return RetryOutcome.Retried;
    }, ct);
}
