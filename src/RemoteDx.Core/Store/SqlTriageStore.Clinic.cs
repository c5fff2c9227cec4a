using System.Globalization;

namespace RemoteDx.Core.Store;

/// <summary>Clinical notes (history, questions) from clinics, per-clinic settings, and the review's annotations of a
/// study listing (decisions per label, note counts).</summary>
public abstract partial class SqlTriageStore
{
    public Task<IReadOnlyDictionary<string, StudyAnnotations>> StudyAnnotationsAsync(IReadOnlyList<string> studies, CancellationToken ct = default) =>
        ReadAsync(async conn =>
        {
            var result = new Dictionary<string, StudyAnnotations>(StringComparer.Ordinal);
            if (studies.Count == 0)
            {
                return (IReadOnlyDictionary<string, StudyAnnotations>)result;
            }
            var names = string.Join(", ", studies.Select((_, i) => "@s" + i.ToString(CultureInfo.InvariantCulture)));
            var args = studies.Select((s, i) => ("@s" + i.ToString(CultureInfo.InvariantCulture), (object?)s)).ToArray();
            await using var tx = await BeginReadAsync(conn, ct).ConfigureAwait(false);
            var decisions = await QueryAsync(conn, tx, $"""
                SELECT f.study_instance_uid, f.model, f.label, r.decision, r.reviewed_by, r.reviewed_at
                FROM reviews r JOIN findings f ON f.id = r.finding_id WHERE f.study_instance_uid IN ({names}) ORDER BY r.id
                """, r => (Study: r.GetString(0), Key: (r.GetString(1), r.GetString(2)), Review: new ReviewInfo(r.GetString(3), r.GetString(4), TimeAt(r, 5))),
                ct, args).ConfigureAwait(false);
            var notes = await QueryAsync(conn, tx, $"""
                SELECT study_instance_uid, COUNT(*) FROM clinical_notes WHERE study_instance_uid IN ({names}) GROUP BY study_instance_uid
                """, r => (Study: r.GetString(0), Count: Int(r, 1)), ct, args).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            var counts = notes.ToDictionary(n => n.Study, n => n.Count, StringComparer.Ordinal);
            foreach (var study in studies.Distinct(StringComparer.Ordinal))
            {
                var latest = new Dictionary<(string, string), ReviewInfo>();
                foreach (var d in decisions.Where(d => d.Study == study))
                {
                    latest[d.Key] = d.Review; // ordered by id: the last one wins
                }
                result[study] = new StudyAnnotations(latest, counts.GetValueOrDefault(study));
            }
            return result;
        }, ct);

    public Task<ClinicalNote?> AddClinicalNoteAsync(string studyInstanceUid, Scope scope, string by, string? history, string? question,
        CancellationToken ct = default)
    {
        if (history is null && question is null)
        {
            throw new ArgumentException("a clinical note needs history or a question");
        }
        return WriteAsync(async (conn, tx) =>
        {
            await LockStudyAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
            var clinic = await ScalarAsync(conn, tx, $"SELECT {StudyClinic} FROM studies s WHERE s.study_instance_uid = @study", ct,
                ("@study", studyInstanceUid)).ConfigureAwait(false) as string;
            if (clinic is null || !scope.Allows(clinic))
            {
                return null;
            }
            var now = DateTimeOffset.UtcNow;
            var id = Convert.ToInt64(await ScalarAsync(conn, tx, """
                INSERT INTO clinical_notes (study_instance_uid, author, at, history, question) VALUES (@study, @by, @now, @history, @question)
                RETURNING id
                """, ct, ("@study", studyInstanceUid), ("@by", by), ("@now", Time(now)), ("@history", history), ("@question", question))
                .ConfigureAwait(false), CultureInfo.InvariantCulture);
            // The note's text is patient data: the audit names the note, not its words.
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'study.note', @by, @study, @detail)",
                ct, ("@now", Time(now)), ("@by", by), ("@study", studyInstanceUid), ("@detail", string.Create(CultureInfo.InvariantCulture,
                    $"note {id}:{(history is null ? "" : " history")}{(question is null ? "" : " question")}"))).ConfigureAwait(false);
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return (ClinicalNote?)new ClinicalNote(id, studyInstanceUid, by, now, history, question);
        }, ct);
    }

    public Task<IReadOnlyList<ClinicalNote>> ClinicalNotesAsync(string studyInstanceUid, CancellationToken ct = default) => ReadAsync(async conn =>
        (IReadOnlyList<ClinicalNote>)await QueryAsync(conn, null, """
            SELECT id, study_instance_uid, author, at, history, question FROM clinical_notes WHERE study_instance_uid = @study ORDER BY id
            """, r => new ClinicalNote(Long(r, 0), r.GetString(1), r.GetString(2), TimeAt(r, 3), Str(r, 4), Str(r, 5)), ct,
            ("@study", studyInstanceUid)).ConfigureAwait(false), ct);

    private const string ClinicSettingsSelect = "SELECT clinic, show_model_output, updated_by, updated_at FROM clinic_settings";

    private static ClinicSettings ReadClinicSettings(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), Bool(r, 1), Str(r, 2), NTime(r, 3));

    public Task<ClinicSettings> ClinicSettingsAsync(string clinic, CancellationToken ct = default) => ReadAsync(async conn =>
        (await QueryAsync(conn, null, $"{ClinicSettingsSelect} WHERE clinic = @clinic", ReadClinicSettings, ct, ("@clinic", clinic))
            .ConfigureAwait(false)).FirstOrDefault() ?? ClinicSettings.Default(clinic), ct);

    public Task<IReadOnlyList<ClinicSettings>> AllClinicSettingsAsync(CancellationToken ct = default) => ReadAsync(async conn =>
        (IReadOnlyList<ClinicSettings>)await QueryAsync(conn, null, $"{ClinicSettingsSelect} ORDER BY clinic", ReadClinicSettings, ct)
            .ConfigureAwait(false), ct);

    public Task<IReadOnlyList<ClinicOverview>> ClinicsAsync(CancellationToken ct = default) => ReadAsync(async conn =>
    {
        await using var tx = await BeginReadAsync(conn, ct).ConfigureAwait(false);
        var studies = await QueryAsync(conn, tx, $"SELECT {StudyClinic} AS clinic, COUNT(*) FROM studies s GROUP BY 1",
            r => (Clinic: r.GetString(0), Count: Int(r, 1)), ct).ConfigureAwait(false);
        // A user's clinics are one joined column: split here, where the one parser lives.
        var named = await QueryAsync(conn, tx, "SELECT clinics FROM users", r => SplitClinics(Str(r, 0)), ct).ConfigureAwait(false);
        var saved = await QueryAsync(conn, tx, ClinicSettingsSelect, ReadClinicSettings, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);

        var counts = studies.ToDictionary(s => s.Clinic, s => s.Count, StringComparer.Ordinal);
        var settings = saved.ToDictionary(s => s.Clinic, StringComparer.Ordinal);
        var names = new SortedSet<string>(counts.Keys, StringComparer.Ordinal);
        names.UnionWith(named.SelectMany(c => c));
        names.UnionWith(settings.Keys);
        return (IReadOnlyList<ClinicOverview>)names
            .Select(n => new ClinicOverview(settings.GetValueOrDefault(n) ?? ClinicSettings.Default(n), counts.GetValueOrDefault(n)))
            .ToList();
    }, ct);

    public Task<ClinicSettings> SetClinicSettingsAsync(string clinic, bool showModelOutput, string by, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            var now = DateTimeOffset.UtcNow;
            await ExecAsync(conn, tx, """
                INSERT INTO clinic_settings (clinic, show_model_output, updated_by, updated_at) VALUES (@clinic, @show, @by, @now)
                ON CONFLICT (clinic) DO UPDATE SET show_model_output = excluded.show_model_output, updated_by = excluded.updated_by,
                    updated_at = excluded.updated_at
                """, ct, ("@clinic", clinic), ("@show", showModelOutput), ("@by", by), ("@now", Time(now))).ConfigureAwait(false);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'clinic.settings', @by, @clinic, @detail)",
                ct, ("@now", Time(now)), ("@by", by), ("@clinic", clinic), ("@detail", "showModelOutput=" + (showModelOutput ? "true" : "false")))
                .ConfigureAwait(false);
            // What a clinic's users see of its worklist changed.
            await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
            return new ClinicSettings(clinic, showModelOutput, by, now);
        }, ct);
}
