// DESIGN.md "Between clinics (ownership)": the claim, checked and made in one commit
namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    /// <summary>One write transaction: the SOP instance and the series are checked against their study's owner, then
    /// the study is claimed with INSERT … ON CONFLICT DO NOTHING on its primary key and its owner read back. Two clinics
    /// racing for a new study: the second insert waits for the first commit (PostgreSQL) or runs after it (SQLite's one
    /// writer) and reads the first clinic back, so exactly one owns it.</summary>
    public async Task<OwnershipDecision> ClaimAsync(OwnershipClaim claim, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        // Fast path, no write: the study is already this clinic's (an owner never changes once set) and neither the
        // instance nor the series is known under another clinic — what the write below would conclude, without a
        // transaction through the single writer for every instance of a study after its first.
        if (await AlreadyGrantedAsync(claim, ct).ConfigureAwait(false))
        {
            return OwnershipDecision.Granted;
        }
        return await ClaimInWriterAsync(claim, ct).ConfigureAwait(false);
    }

    private Task<bool> AlreadyGrantedAsync(OwnershipClaim claim, CancellationToken ct) => ReadAsync(async conn =>
    {
        var rows = await QueryAsync(conn, null, """
            SELECT (SELECT clinic FROM study_owners WHERE study_instance_uid = @study),
                   (SELECT o.clinic FROM instances i JOIN study_owners o ON o.study_instance_uid = i.study_instance_uid
                    WHERE i.sop_instance_uid = @sop),
                   (SELECT o.clinic FROM series s JOIN study_owners o ON o.study_instance_uid = s.study_instance_uid
                    WHERE s.series_instance_uid = @series)
            """, r => (Study: Str(r, 0), Instance: Str(r, 1), Series: Str(r, 2)), ct,
            ("@study", claim.StudyInstanceUid), ("@sop", claim.SopInstanceUid), ("@series", claim.SeriesInstanceUid)).ConfigureAwait(false);
        return rows is [var o] && SameClinic(o.Study, claim.Clinic) && (o.Instance is null || SameClinic(o.Instance, claim.Clinic))
            && (o.Series is null || SameClinic(o.Series, claim.Clinic));
    }, ct);

    private Task<OwnershipDecision> ClaimInWriterAsync(OwnershipClaim claim, CancellationToken ct) => WriteAsync(async (conn, tx) =>
    {
        var decision = OwnershipDecision.Granted;
        var instanceOwner = await ScalarAsync(conn, tx, """
            SELECT o.clinic FROM instances i JOIN study_owners o ON o.study_instance_uid = i.study_instance_uid
            WHERE i.sop_instance_uid = @sop
            """, ct, ("@sop", claim.SopInstanceUid)).ConfigureAwait(false) as string;
        var seriesOwner = await ScalarAsync(conn, tx, """
            SELECT o.clinic FROM series s JOIN study_owners o ON o.study_instance_uid = s.study_instance_uid
            WHERE s.series_instance_uid = @series
            """, ct, ("@series", claim.SeriesInstanceUid)).ConfigureAwait(false) as string;
        if (instanceOwner is not null && !SameClinic(instanceOwner, claim.Clinic))
        {
            decision = OwnershipDecision.InstanceOwnedByAnotherClinic;
        }
        else if (seriesOwner is not null && !SameClinic(seriesOwner, claim.Clinic))
        {
            decision = OwnershipDecision.SeriesOwnedByAnotherClinic;
        }
        else
        {
            await ExecAsync(conn, tx, """
                INSERT INTO study_owners (study_instance_uid, clinic, calling_ae, claimed_at) VALUES (@study, @clinic, @ae, @at)
                ON CONFLICT (study_instance_uid) DO NOTHING
                """, ct, ("@study", claim.StudyInstanceUid), ("@clinic", claim.Clinic), ("@ae", claim.CallingAE), ("@at", Time(claim.At)))
                .ConfigureAwait(false);
            var studyOwner = await ScalarAsync(conn, tx, "SELECT clinic FROM study_owners WHERE study_instance_uid = @study", ct,
                ("@study", claim.StudyInstanceUid)).ConfigureAwait(false) as string;
            if (!SameClinic(studyOwner, claim.Clinic))
            {
                decision = OwnershipDecision.StudyOwnedByAnotherClinic;
            }
        }
        if (decision != OwnershipDecision.Granted)
        {
            // Who tried what, by UID only: no patient data in the audit detail.
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@at, 'ownership-conflict', @ae, @sop, @detail)",
                ct, ("@at", Time(claim.At)), ("@ae", claim.CallingAE), ("@sop", claim.SopInstanceUid),
                ("@detail", $"{decision}; clinic {claim.Clinic}; study {claim.StudyInstanceUid}; series {claim.SeriesInstanceUid}; association {claim.AssociationId}"))
                .ConfigureAwait(false);
        }
        return decision;
    }, ct);

    public Task<string?> StudyOwnerAsync(string studyInstanceUid, CancellationToken ct = default) => ReadAsync(async conn =>
        await ScalarAsync(conn, null, "SELECT clinic FROM study_owners WHERE study_instance_uid = @study", ct, ("@study", studyInstanceUid))
            .ConfigureAwait(false) as string, ct);

    private static bool SameClinic(string? owner, string clinic) => string.Equals(owner, clinic, StringComparison.Ordinal);
}
