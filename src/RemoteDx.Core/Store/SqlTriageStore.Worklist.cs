using System.Data.Common;
using System.Globalization;
using System.Text;
using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    /// <summary>The clinic a study belongs to (DESIGN.md "Between clinics"): its owner, which is the first calling AE
    /// unless the allow-list maps that AE to a clinic. Scopes and the clinic filter use this, not the calling AE.</summary>
    private const string StudyClinic =
        "COALESCE((SELECT o.clinic FROM study_owners o WHERE o.study_instance_uid = s.study_instance_uid), s.calling_ae)";

    private const string StudyColumns = $"""
        s.study_instance_uid, s.priority, s.stat, s.status, s.patient_name, s.patient_id, s.patient_sex, s.patient_age,
        s.study_date, s.study_description, s.modality, {StudyClinic}, s.institution_name, s.first_received_at, s.last_received_at,
        s.instance_count, s.scored_count, s.failed_count
        """;

    private static WorklistItem ReadStudy(DbDataReader r, IReadOnlyList<FindingSummary> findings) => new(
        r.GetString(0), Dbl(r, 1), Bool(r, 2), r.GetString(3), Str(r, 4), Str(r, 5), Str(r, 6), Str(r, 7), Str(r, 8), Str(r, 9),
        Str(r, 10), r.GetString(11), Str(r, 12), TimeAt(r, 13), TimeAt(r, 14), Int(r, 15), Int(r, 16), Int(r, 17), findings);

    /// <summary>Rank order (docs/api.md) of the persisted <see cref="Rank"/>: STAT first, then priority descending, ties by
    /// earliest arrival.</summary>
    private const string RankOrder = "s.stat DESC, s.priority DESC, s.first_received_at, s.study_instance_uid";

    private static void AddScope(Scope scope, StringBuilder where, List<(string, object?)> args)
    {
        if (scope.Clinics is not { } clinics)
        {
            return;
        }
        if (clinics.Count == 0)
        {
            where.Append(" AND 1 = 0");
            return;
        }
        where.Append(" AND ").Append(StudyClinic).Append(" IN (");
        for (var i = 0; i < clinics.Count; i++)
        {
            where.Append(i == 0 ? "" : ", ").Append("@scope").Append(i.ToString(CultureInfo.InvariantCulture));
            args.Add(("@scope" + i.ToString(CultureInfo.InvariantCulture), clinics[i]));
        }
        where.Append(')');
    }

    /// <summary>Appended to a text expression so it compares bytewise in both stores (SQLite's default BINARY; PostgreSQL:
    /// COLLATE "C"), whatever the database's locale.</summary>
    protected virtual string BinaryCollate => "";

    /// <summary>ORDER BY for a sort and direction; every order ends with the Study Instance UID so equal keys page
    /// stably (in the sort's direction, so descending is the exact reverse; status ties keep rank order). Text keys
    /// compare bytewise in both stores; NULLs sort as "".</summary>
    private string WorklistOrder(WorklistSort sort, bool? descending)
    {
        var desc = descending ?? sort is WorklistSort.Priority or WorklistSort.Received;
        var dir = desc ? " DESC" : "";
        return sort switch
        {
            WorklistSort.Priority => desc ? RankOrder : "s.stat, s.priority, s.first_received_at DESC, s.study_instance_uid DESC",
            WorklistSort.Received => $"s.first_received_at{dir}, s.study_instance_uid{dir}",
            WorklistSort.Patient => $"COALESCE(s.search_key, ''){BinaryCollate}{dir}, s.study_instance_uid{dir}",
            WorklistSort.Modality => $"COALESCE(s.modality, ''){BinaryCollate}{dir}, s.study_instance_uid{dir}",
            WorklistSort.Clinic => $"lower({StudyClinic}){BinaryCollate}{dir}, s.study_instance_uid{dir}",
            WorklistSort.Status => $"""
                CASE s.status WHEN 'new' THEN 0 WHEN 'in-review' THEN 1 WHEN 'scoring' THEN 2 WHEN 'failed' THEN 3 ELSE 4 END{dir},
                {RankOrder}
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
        };
    }

    /// <summary>The studies with a term starting with query word n: a range on the primary key (term, study), so an
    /// index search, not a scan, in both stores (SqliteSearchPlanTests checks SQLite's plan).</summary>
    internal const string SearchTermMatch =
        "SELECT t.study_instance_uid FROM study_search_terms t WHERE t.term >= @term@n AND t.term < @termEnd@n";

    public Task<WorklistPage> WorklistAsync(WorklistQuery q, CancellationToken ct = default) => ReadAsync(async conn =>
    {
        var where = new StringBuilder("1 = 1");
        var args = new List<(string, object?)>();
        AddScope(q.Scope, where, args);
        if (q.Status is { } status)
        {
            where.Append(" AND s.status = @status");
            args.Add(("@status", status));
        }
        if (q.Unreviewed)
        {
            where.Append(" AND s.status <> 'reviewed'");
        }
        if (q.Clinic is { } clinic)
        {
            // The owner's clinic name or the study's calling AE title, either case (SQLite's lower() folds ASCII only).
            where.Append(" AND (lower(").Append(StudyClinic).Append(") = lower(@clinic) OR lower(s.calling_ae) = lower(@clinic))");
            args.Add(("@clinic", clinic));
        }
        var terms = SearchKey.QueryTerms(q.Search);
        for (var i = 0; i < terms.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            where.Append(" AND s.study_instance_uid IN (").Append(SearchTermMatch.Replace("@n", n, StringComparison.Ordinal)).Append(')');
            args.Add(("@term" + n, terms[i]));
            args.Add(("@termEnd" + n, SearchKey.UpperBound(terms[i])));
        }
        if (q.Search is not null && terms.Count == 0)
        {
            where.Append(" AND 1 = 0"); // only separators typed: nothing can match
        }
        if (q.Modality is { } modality)
        {
            where.Append(" AND (s.modality = @modality OR EXISTS (SELECT 1 FROM series x WHERE x.study_instance_uid = s.study_instance_uid AND x.modality = @modality))");
            args.Add(("@modality", modality));
        }
        if (q.From is { } from)
        {
            where.Append(" AND s.study_day >= @from");
            args.Add(("@from", from));
        }
        if (q.To is { } to)
        {
            where.Append(" AND s.study_day <= @to");
            args.Add(("@to", to));
        }
        if (q.Stat is { } stat)
        {
            where.Append(stat ? " AND s.stat" : " AND NOT s.stat");
        }
        var order = WorklistOrder(q.Sort, q.Descending);
        var pageSize = Math.Clamp(q.PageSize, 1, 500);
        var page = Math.Max(1, q.Page);
        // One snapshot for the version, the count and the page (else a change between them could go unnoticed).
        await using var tx = await BeginReadAsync(conn, ct).ConfigureAwait(false);
        var version = Convert.ToInt64(await ScalarAsync(conn, tx, "SELECT value FROM worklist_version WHERE id = 1", ct).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        var total = Convert.ToInt64(await ScalarAsync(conn, tx, $"SELECT COUNT(*) FROM studies s WHERE {where}", ct, [.. args]).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        var pageArgs = new List<(string, object?)>(args) { ("@limit", pageSize), ("@offset", (page - 1) * pageSize) };
        var rows = await QueryAsync(conn, tx, $"SELECT {StudyColumns} FROM studies s WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset",
            r => ReadStudy(r, []), ct, [.. pageArgs]).ConfigureAwait(false);
        var findings = await TopFindingsAsync(conn, tx, rows.Select(s => s.StudyInstanceUid).ToList(), ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        var items = rows.Select(s => s with { Findings = findings.TryGetValue(s.StudyInstanceUid, out var f) ? f : [] }).ToList();
        return new WorklistPage(items, total, page, pageSize, version);
    }, ct);

    /// <summary>Each study's top findings: positive first, then by probability, one per model and label, at most 5; each
    /// with the latest review decision on any of that label's findings (a dismissed positive stays listed, marked).</summary>
    private static async Task<Dictionary<string, IReadOnlyList<FindingSummary>>> TopFindingsAsync(DbConnection conn, DbTransaction? tx,
        IReadOnlyList<string> studies, CancellationToken ct)
    {
        var result = new Dictionary<string, IReadOnlyList<FindingSummary>>(StringComparer.Ordinal);
        if (studies.Count == 0)
        {
            return result;
        }
        var names = string.Join(", ", studies.Select((_, i) => "@s" + i.ToString(CultureInfo.InvariantCulture)));
        var args = studies.Select((s, i) => ("@s" + i.ToString(CultureInfo.InvariantCulture), (object?)s)).ToArray();
        var rows = await QueryAsync(conn, tx, $"""
            SELECT f.study_instance_uid, f.label, f.probability, f.positive, f.critical, f.model, r.id, r.decision
            FROM findings f LEFT JOIN reviews r ON r.id = (SELECT MAX(x.id) FROM reviews x WHERE x.finding_id = f.id)
            WHERE f.study_instance_uid IN ({names})
            """, r => (Study: r.GetString(0), F: new FindingSummary(r.GetString(1), Dbl(r, 2), Bool(r, 3), Bool(r, 4), r.GetString(5)),
                ReviewId: r.IsDBNull(6) ? 0 : Long(r, 6), Decision: Str(r, 7)),
            ct, args).ConfigureAwait(false);
        foreach (var g in rows.GroupBy(x => x.Study, StringComparer.Ordinal))
        {
            result[g.Key] = g
                .GroupBy(x => (x.F.Model, x.F.Label))
                .Select(b => b.OrderByDescending(x => x.F.Positive).ThenByDescending(x => x.F.Probability).First().F with
                {
                    Decision = b.MaxBy(x => x.ReviewId) is { ReviewId: > 0, Decision: "confirmed" or "dismissed" } latest ? latest.Decision : null,
                })
                .OrderByDescending(f => f.Positive).ThenByDescending(f => f.Probability).ThenBy(f => f.Label, StringComparer.Ordinal)
                .Take(5).ToList();
        }
        return result;
    }

    /// <summary>Indexes a study under its search terms (<see cref="SearchKey.Terms"/>); terms it already has are kept.</summary>
    protected static async Task IndexSearchTermsAsync(DbConnection conn, DbTransaction tx, string study, string? patientName, string? patientId,
        string? accessionNumber, CancellationToken ct)
    {
        var terms = SearchKey.Terms(patientName, patientId, accessionNumber);
        if (terms.Count == 0)
        {
            return;
        }
        var values = string.Join(", ", terms.Select((_, i) => $"(@t{i.ToString(CultureInfo.InvariantCulture)}, @study)"));
        var args = terms.Select((t, i) => ("@t" + i.ToString(CultureInfo.InvariantCulture), (object?)t)).Append(("@study", study)).ToArray();
        await ExecAsync(conn, tx, $"INSERT INTO study_search_terms (term, study_instance_uid) VALUES {values} ON CONFLICT DO NOTHING", ct, args)
            .ConfigureAwait(false);
    }

    /// <summary>Fills the search key and terms of studies indexed before search existed (migration step).</summary>
    protected static async Task BackfillSearchAsync(DbConnection conn, DbTransaction tx, CancellationToken ct)
    {
        foreach (var (study, name, id, accession) in await QueryAsync(conn, tx,
            "SELECT study_instance_uid, patient_name, patient_id, accession_number FROM studies",
            r => (r.GetString(0), Str(r, 1), Str(r, 2), Str(r, 3)), ct).ConfigureAwait(false))
        {
            await ExecAsync(conn, tx, "UPDATE studies SET search_key = @key WHERE study_instance_uid = @study", ct,
                ("@key", SearchKey.Normalize(name)), ("@study", study)).ConfigureAwait(false);
            await IndexSearchTermsAsync(conn, tx, study, name, id, accession, ct).ConfigureAwait(false);
        }
    }

    public Task<long> WorklistVersionAsync(CancellationToken ct = default) => ReadAsync(async conn =>
        Convert.ToInt64(await ScalarAsync(conn, null, "SELECT value FROM worklist_version WHERE id = 1", ct).ConfigureAwait(false),
            CultureInfo.InvariantCulture), ct);

    public Task BumpWorklistVersionAsync(CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        await BumpVersionAsync(conn, tx, ct).ConfigureAwait(false);
        return true;
    }, ct);

    public Task<long> CountCompleteStudiesAsync(QuietPeriod quiet, DateTimeOffset now, CancellationToken ct = default) => ReadAsync(async conn =>
        Convert.ToInt64(await ScalarAsync(conn, null, "SELECT COUNT(*) FROM studies WHERE last_received_at <= @upTo", ct,
            ("@upTo", Time(quiet.CompleteUpTo(now)))).ConfigureAwait(false), CultureInfo.InvariantCulture), ct);

    public Task<StudyDetail?> StudyAsync(string studyInstanceUid, Scope scope, CancellationToken ct = default) => ReadAsync(async conn =>
    {
        await using var tx = await BeginReadAsync(conn, ct).ConfigureAwait(false);
        var head = await QueryAsync(conn, tx, $"""
            SELECT {StudyColumns}, s.patient_birth_date, s.accession_number, s.reviewed_by, s.reviewed_at
            FROM studies s WHERE s.study_instance_uid = @study
            """, r => (Item: ReadStudy(r, []), Birth: Str(r, 18), Accession: Str(r, 19), By: Str(r, 20), At: NTime(r, 21)),
            ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
        if (head.Count == 0 || !scope.Allows(head[0].Item.Clinic))
        {
            return null;
        }
        var study = head[0];
        var top = await TopFindingsAsync(conn, tx, [studyInstanceUid], ct).ConfigureAwait(false);
        var series = await QueryAsync(conn, tx, """
            SELECT series_instance_uid, modality, body_part_examined, series_number, series_description FROM series
            WHERE study_instance_uid = @study ORDER BY series_number, series_instance_uid
            """, r => (Uid: r.GetString(0), Modality: Str(r, 1), Body: Str(r, 2), Number: NInt(r, 3), Desc: Str(r, 4)),
            ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
        var instances = await QueryAsync(conn, tx, """
            SELECT sop_instance_uid, series_instance_uid, instance_number, rows, columns, frames, view_position, photometric,
                   window_center, window_width, not_applicable, sop_class_uid
            FROM instances WHERE study_instance_uid = @study ORDER BY instance_number, sop_instance_uid
            """, r => (Sop: r.GetString(0), Series: r.GetString(1), Number: NInt(r, 2), Rows: Int(r, 3), Cols: Int(r, 4),
                Frames: Int(r, 5), View: Str(r, 6), Photo: Str(r, 7), Wc: NDbl(r, 8), Ww: NDbl(r, 9), Na: Bool(r, 10), Class: Str(r, 11)),
            ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
        var jobs = new Dictionary<string, JobInfo>(StringComparer.Ordinal);
        foreach (var j in await QueryAsync(conn, tx, """
            SELECT id, sop_instance_uid, study_instance_uid, state, attempts, last_error, not_before, created_at, updated_at
            FROM jobs WHERE study_instance_uid = @study ORDER BY id
            """, ReadJob, ct, ("@study", studyInstanceUid)).ConfigureAwait(false))
        {
            jobs[j.SopInstanceUid] = j; // the latest job of each instance
        }
        var reviews = new Dictionary<long, ReviewInfo>();
        foreach (var (id, review) in await QueryAsync(conn, tx, """
            SELECT finding_id, decision, reviewed_by, reviewed_at FROM reviews WHERE study_instance_uid = @study ORDER BY id
            """, r => (Long(r, 0), new ReviewInfo(r.GetString(1), r.GetString(2), TimeAt(r, 3))), ct, ("@study", studyInstanceUid)).ConfigureAwait(false))
        {
            reviews[id] = review;
        }
        var findings = (await QueryAsync(conn, tx, $"{FindingSelect} WHERE f.study_instance_uid = @study ORDER BY f.id",
            r => ReadFinding(r, null), ct, ("@study", studyInstanceUid)).ConfigureAwait(false))
            .Select(f => f with { Review = reviews.GetValueOrDefault(f.Id) })
            .ToLookup(f => f.SopInstanceUid, StringComparer.Ordinal);
        var heatmaps = (await QueryAsync(conn, tx, """
            SELECT h.sop_instance_uid, h.model, h.label FROM heatmaps h JOIN instances i ON i.sop_instance_uid = h.sop_instance_uid
            WHERE i.study_instance_uid = @study ORDER BY h.model, h.label
            """, r => (Sop: r.GetString(0), Ref: new HeatmapRef(r.GetString(1), r.GetString(2))), ct, ("@study", studyInstanceUid)).ConfigureAwait(false))
            .ToLookup(h => h.Sop, h => h.Ref, StringComparer.Ordinal);
        var comments = await QueryAsync(conn, tx, "SELECT id, author, at, text FROM comments WHERE study_instance_uid = @study ORDER BY id",
            r => new CommentInfo(Long(r, 0), r.GetString(1), TimeAt(r, 2), r.GetString(3)), ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
        var results = await ResultObjectsAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
        var deliveries = await DeliveriesAsync(conn, tx, studyInstanceUid, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);

        var seriesDetails = series.Select(s => new SeriesDetail(s.Uid, s.Modality, s.Body, s.Number, s.Desc,
            instances.Where(i => i.Series == s.Uid).Select(i => new InstanceDetail(i.Sop, i.Number, i.Rows, i.Cols, i.Frames, i.View,
                i.Photo, i.Wc, i.Ww, jobs.GetValueOrDefault(i.Sop), i.Na, [.. findings[i.Sop]], [.. heatmaps[i.Sop]]) { SopClassUid = i.Class }).ToList())).ToList();
        return (StudyDetail?)new StudyDetail(study.Item with { Findings = top.GetValueOrDefault(studyInstanceUid) ?? [] }, study.Birth,
            study.Accession, study.By, study.At, seriesDetails, comments) { Results = results, Deliveries = deliveries };
    }, ct);

    private const string FindingSelect = """
        SELECT f.id, f.study_instance_uid, f.sop_instance_uid, f.model, f.model_version, f.model_sha256, f.label, f.probability,
               f.positive, f.critical, f.threshold, f.urgency, f.has_heatmap FROM findings f
        """;

    private static FindingDetail ReadFinding(DbDataReader r, ReviewInfo? review) => new(Long(r, 0), r.GetString(1), r.GetString(2),
        r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), Dbl(r, 7), Bool(r, 8), Bool(r, 9), Dbl(r, 10), Dbl(r, 11),
        Bool(r, 12), review);

    public Task<FindingDetail?> FindingAsync(long id, CancellationToken ct = default) => ReadAsync(conn => FindingAsync(conn, null, id, ct), ct);

    private static async Task<FindingDetail?> FindingAsync(DbConnection conn, DbTransaction? tx, long id, CancellationToken ct)
    {
        var reviews = await QueryAsync(conn, tx, """
            SELECT decision, reviewed_by, reviewed_at FROM reviews WHERE finding_id = @id ORDER BY id DESC LIMIT 1
            """, r => new ReviewInfo(r.GetString(0), r.GetString(1), TimeAt(r, 2)), ct, ("@id", id)).ConfigureAwait(false);
        var rows = await QueryAsync(conn, tx, $"{FindingSelect} WHERE f.id = @id", r => ReadFinding(r, reviews.FirstOrDefault()), ct,
            ("@id", id)).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    public Task<InstanceLocation?> InstanceAsync(string sopInstanceUid, Scope scope, CancellationToken ct = default) => ReadAsync(async conn =>
    {
        var rows = await QueryAsync(conn, null, $"""
            SELECT i.sop_instance_uid, i.study_instance_uid, i.path, {StudyClinic}, i.version, i.rows, i.columns, i.frames
            FROM instances i JOIN studies s ON s.study_instance_uid = i.study_instance_uid WHERE i.sop_instance_uid = @sop
            """, r => new InstanceLocation(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Int(r, 4), Int(r, 5), Int(r, 6),
                Int(r, 7)), ct, ("@sop", sopInstanceUid)).ConfigureAwait(false);
        return rows.Count == 1 && scope.Allows(rows[0].CallingAE) ? rows[0] : null;
    }, ct);

    public Task<byte[]?> HeatmapAsync(string sopInstanceUid, string model, string label, CancellationToken ct = default) => ReadAsync(async conn =>
        await ScalarAsync(conn, null, "SELECT png FROM heatmaps WHERE sop_instance_uid = @sop AND model = @model AND label = @label", ct,
            ("@sop", sopInstanceUid), ("@model", model), ("@label", label)).ConfigureAwait(false) as byte[], ct);
}
