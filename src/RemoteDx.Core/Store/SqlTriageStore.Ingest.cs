using System.Globalization;
using RemoteDx.Core.Archive;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    public Task RecordInstanceAsync(IngestRecord record, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        var a = record.Archive;
        var at = Normalized(a.Attributes);
        var now = Time(record.ReceivedAt);
        object? patientKey = null;
        if (!string.IsNullOrEmpty(at.PatientId))
        {
            // Patient IDs are only unique within the issuer; the sending clinic (calling AE) stands in for it.
            patientKey = await ScalarAsync(conn, tx, """
                INSERT INTO patients (issuer, patient_id, patient_name, patient_sex, patient_birth_date, updated_at)
                VALUES (@ae, @pid, @pname, @sex, @birth, @now)
                ON CONFLICT (issuer, patient_id) DO UPDATE SET patient_name = excluded.patient_name,
                    patient_sex = excluded.patient_sex, patient_birth_date = excluded.patient_birth_date, updated_at = excluded.updated_at
                RETURNING id
                """, ct, ("@ae", record.CallingAE), ("@pid", at.PatientId), ("@pname", at.PatientName), ("@sex", at.PatientSex),
                ("@birth", at.PatientBirthDate), ("@now", now)).ConfigureAwait(false);
        }
        await ExecAsync(conn, tx, """
            INSERT INTO studies (study_instance_uid, patient_key, patient_id, patient_name, patient_sex, patient_age, patient_birth_date,
                                 accession_number, study_date, study_description, institution_name, calling_ae, modality, study_day,
                                 first_received_at, last_received_at, search_key)
            VALUES (@study, @pkey, @pid, @pname, @sex, @age, @birth, @acc, @sdate, @sdesc, @inst, @ae, @mod, @day, @now, @now, @skey)
            ON CONFLICT (study_instance_uid) DO UPDATE SET last_received_at = excluded.last_received_at,
                modality = COALESCE(studies.modality, excluded.modality)
            """, ct, ("@study", a.StudyInstanceUid), ("@pkey", patientKey), ("@pid", at.PatientId), ("@pname", at.PatientName),
            ("@sex", at.PatientSex), ("@age", at.PatientAge), ("@birth", at.PatientBirthDate), ("@acc", at.AccessionNumber),
            ("@sdate", at.StudyDate), ("@sdesc", at.StudyDescription), ("@inst", at.InstitutionName), ("@ae", record.CallingAE),
            ("@mod", at.Modality), ("@day", StudyDay(at.StudyDate, record.ReceivedAt)), ("@now", now),
            ("@skey", SearchKey.Normalize(at.PatientName))).ConfigureAwait(false);
        await IndexSearchTermsAsync(conn, tx, a.StudyInstanceUid, at.PatientName, at.PatientId, at.AccessionNumber, ct).ConfigureAwait(false);
        // Normally claimed already (ClaimAsync); a study indexed without a claim still gets its owner.
        await ExecAsync(conn, tx, """
            INSERT INTO study_owners (study_instance_uid, clinic, calling_ae, claimed_at) VALUES (@study, @clinic, @ae, @now)
            ON CONFLICT (study_instance_uid) DO NOTHING
            """, ct, ("@study", a.StudyInstanceUid), ("@clinic", record.Clinic ?? record.CallingAE), ("@ae", record.CallingAE), ("@now", now))
            .ConfigureAwait(false);
        await ExecAsync(conn, tx, """
            INSERT INTO series (series_instance_uid, study_instance_uid, modality, body_part_examined, series_number, series_description)
            VALUES (@series, @study, @mod, @body, @num, @desc)
            ON CONFLICT (series_instance_uid) DO NOTHING
            """, ct, ("@series", a.SeriesInstanceUid), ("@study", a.StudyInstanceUid), ("@mod", at.Modality), ("@body", at.BodyPartExamined),
            ("@num", at.SeriesNumber), ("@desc", at.SeriesDescription)).ConfigureAwait(false);
        await ExecAsync(conn, tx, """
            INSERT INTO instances (sop_instance_uid, series_instance_uid, study_instance_uid, sop_class_uid, transfer_syntax_uid,
                                   path, size, instance_number, rows, columns, frames, view_position, calling_ae, association_id,
                                   received_at, version, photometric, window_center, window_width)
            VALUES (@sop, @series, @study, @class, @ts, @path, @size, @num, @rows, @cols, @frames, @view, @ae, @assoc, @now, 1,
                    @photo, @wc, @ww)
            ON CONFLICT (sop_instance_uid) DO UPDATE SET path = excluded.path, size = excluded.size,
                transfer_syntax_uid = excluded.transfer_syntax_uid, received_at = excluded.received_at,
                rows = excluded.rows, columns = excluded.columns, frames = excluded.frames, photometric = excluded.photometric,
                window_center = excluded.window_center, window_width = excluded.window_width,
                version = CASE WHEN @outcome = 'Identical' THEN instances.version ELSE instances.version + 1 END
            """, ct, ("@sop", a.SopInstanceUid), ("@series", a.SeriesInstanceUid), ("@study", a.StudyInstanceUid), ("@class", a.SopClassUid),
            ("@ts", a.TransferSyntaxUid), ("@path", a.Path), ("@size", a.Size), ("@num", at.InstanceNumber), ("@rows", at.Rows),
            ("@cols", at.Columns), ("@frames", at.Frames), ("@view", at.ViewPosition), ("@ae", record.CallingAE),
            ("@assoc", record.AssociationId), ("@now", now), ("@outcome", a.Outcome.ToString()), ("@photo", at.PhotometricInterpretation),
            ("@wc", at.WindowCenter), ("@ww", at.WindowWidth)).ConfigureAwait(false);
        if (a.Outcome != ArchiveOutcome.Identical)
        {
            await ExecAsync(conn, tx, """
                INSERT INTO jobs (sop_instance_uid, study_instance_uid, state, attempts, created_at, updated_at)
                VALUES (@sop, @study, 'pending', 0, @now, @now)
                """, ct, ("@sop", a.SopInstanceUid), ("@study", a.StudyInstanceUid), ("@now", now)).ConfigureAwait(false);
        }
        else
        {
            // Identical bytes change nothing, unless the first copy was renamed into place but the process died before
            // this commit (never acknowledged, so the peer re-sent it): then it still needs its job.
            await ExecAsync(conn, tx, """
                INSERT INTO jobs (sop_instance_uid, study_instance_uid, state, attempts, created_at, updated_at)
                SELECT @sop, @study, 'pending', 0, @now, @now WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE sop_instance_uid = @sop)
                """, ct, ("@sop", a.SopInstanceUid), ("@study", a.StudyInstanceUid), ("@now", now)).ConfigureAwait(false);
        }
        if (a.Outcome == ArchiveOutcome.Replaced)
        {
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'instance-replaced', @ae, @sop, @assoc)",
                ct, ("@now", now), ("@ae", record.CallingAE), ("@sop", a.SopInstanceUid), ("@assoc", record.AssociationId)).ConfigureAwait(false);
        }
        await RefreshStudyAsync(conn, tx, a.StudyInstanceUid, ct).ConfigureAwait(false);
        await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
        return true;
    }, ct);

    /// <summary>Empty DICOM values (type 2 attributes present but empty) are stored as NULL.</summary>
    private static InstanceAttributes Normalized(InstanceAttributes a) => a with
    {
        PatientId = Blank(a.PatientId), PatientName = Blank(a.PatientName), Modality = Blank(a.Modality),
        BodyPartExamined = Blank(a.BodyPartExamined), ViewPosition = Blank(a.ViewPosition), StudyDate = Blank(a.StudyDate),
        StudyDescription = Blank(a.StudyDescription), InstitutionName = Blank(a.InstitutionName), PatientSex = Blank(a.PatientSex),
        PatientAge = Blank(a.PatientAge), PatientBirthDate = Blank(a.PatientBirthDate), AccessionNumber = Blank(a.AccessionNumber),
        PhotometricInterpretation = Blank(a.PhotometricInterpretation), SeriesDescription = Blank(a.SeriesDescription),
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The date the worklist filters on: the Study Date when it is a plain YYYYMMDD, else the day it arrived.</summary>
    private static string StudyDay(string? studyDate, DateTimeOffset received) =>
        studyDate is { Length: 8 } d && d.All(char.IsAsciiDigit) ? d : received.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public virtual Task SyncAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task RecordAssociationAsync(AssociationAudit audit, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, """
            INSERT INTO associations (id, calling_ae, called_ae, peer, tls, instances, bytes, statuses, outcome, started_at, duration_ms)
            VALUES (@id, @calling, @called, @peer, @tls, @n, @bytes, @statuses, @outcome, @started, @ms)
            ON CONFLICT (id) DO NOTHING
            """, ct, ("@id", audit.Id), ("@calling", audit.CallingAE), ("@called", audit.CalledAE), ("@peer", audit.Peer),
            ("@tls", audit.Tls), ("@n", audit.Instances), ("@bytes", audit.Bytes), ("@statuses", audit.Statuses),
            ("@outcome", audit.Outcome), ("@started", Time(audit.Started)), ("@ms", (long)audit.Duration.TotalMilliseconds)).ConfigureAwait(false), ct);

    public Task<IReadOnlyList<PendingJob>> UnfinishedJobsAsync(CancellationToken ct = default) => ReadAsync<IReadOnlyList<PendingJob>>(async conn =>
        await QueryAsync(conn, null, "SELECT id, sop_instance_uid, state, attempts FROM jobs WHERE state IN ('pending', 'running') ORDER BY id",
            r => new PendingJob(Long(r, 0), r.GetString(1), r.GetString(2), Int(r, 3)), ct).ConfigureAwait(false), ct);

    public Task PingAsync(CancellationToken ct = default) => ReadAsync(async conn =>
        await ScalarAsync(conn, null, "SELECT 1", ct).ConfigureAwait(false), ct);

    public Task<long> CountInstancesAsync(CancellationToken ct = default) => ReadAsync(async conn =>
        Convert.ToInt64(await ScalarAsync(conn, null, "SELECT COUNT(*) FROM instances", ct).ConfigureAwait(false), CultureInfo.InvariantCulture), ct);
}
