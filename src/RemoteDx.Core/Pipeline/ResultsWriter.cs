// DESIGN.md "Results and delivery": the SR (TID 1500) and heatmap images of a scored study, archived and queued
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Results;
using RemoteDx.Core.Results.Delivery;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Core.Pipeline;

/// <summary>Writes a study's result objects once they are due (<see cref="ITriageStore.ResultsDueAsync"/>):
/// <list type="bullet">
/// <item>the AI report (<see cref="TriageReport"/>) and, for positive findings, heatmap images (<see cref="HeatmapCapture"/>)
/// when every job of the study is done and its quiet period has passed (no image for <see cref="QuietPeriod"/>): the same
/// "complete" the worklist shows. Scored again later (a re-score, a new image) → a new report version whose Predecessor
/// Documents Sequence points at the last one.</item>
/// <item>the verified report (<see cref="TriageReport.CreateVerified"/>) after each "mark reviewed", the reviewer as
/// Verifying Observer.</item>
/// </list>
/// One report per model that scored the study. Each file is archived durably as a new series of the study, then indexed
/// and queued for the owning clinic's destinations in one store commit; a crash in between leaves the study due, and it
/// is written again (the orphaned files are never indexed or sent).</summary>
public sealed partial class ResultsWriter(ITriageStore store, DicomArchive archive, ResultRouting routing, QuietPeriod quiet, ILogger logger,
    string verifyingOrganization = "RemoteDx", LabelCodes? codes = null)
{
    private readonly LabelCodes _codes = codes ?? LabelCodes.None;

    // A study whose results could not be written (an unreadable source, a full disk) is tried again after a growing pause,
    // not on every poll; the pause is this process's memory only (a restart tries at once).
    private static readonly ExponentialBackoff Backoff = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30));
    private readonly Dictionary<string, (int Failures, DateTimeOffset NotBefore)> _failed = new(StringComparer.Ordinal);

    /// <summary>Writes every due study's results; returns how many were written.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var written = 0;
        var now = DateTimeOffset.UtcNow;
        foreach (var due in await store.ResultsDueAsync(quiet, now, 10, ct).ConfigureAwait(false))
        {
            if (_failed.TryGetValue(due.StudyInstanceUid, out var failed) && failed.NotBefore > now)
            {
                continue;
            }
            try
            {
                if (await WriteAsync(due, ct).ConfigureAwait(false))
                {
                    written++;
                }
                _failed.Remove(due.StudyInstanceUid);
            }
            catch (Exception ex) when (ex is DicomException or IOException or InvalidOperationException or ArgumentException
                or UnauthorizedAccessException or SixLabors.ImageSharp.ImageFormatException)
            {
                var failures = failed.Failures + 1;
                _failed[due.StudyInstanceUid] = (failures, now + Backoff.After(failures));
                LogFailed(due.StudyInstanceUid, failures, ex.GetType().Name, ex.Message);
            }
        }
        return written;
    }

    public async Task<bool> WriteAsync(ResultsDue due, CancellationToken ct)
    {
        var context = await store.ResultContextAsync(due.StudyInstanceUid, ct).ConfigureAwait(false);
        if (context is null)
        {
            return false;
        }
        var now = DateTimeOffset.UtcNow;
        var objects = new List<ResultObject>();
        foreach (var (model, study) in ScoredStudies(context, _codes, withHeatmaps: !due.Verified))
        {
            var previous = context.Results.Where(r => r.Model == model && r.Kind is ResultKind.Report or ResultKind.VerifiedReport)
                .OrderBy(r => r.InstanceNumber).LastOrDefault();
            if (due.Verified)
            {
                if (previous is null || context.ReviewedBy is null)
                {
                    continue;
                }
                var verification = new Verification(context.ReviewedBy, verifyingOrganization, context.ReviewedAt ?? now, Decisions(context),
                    context.Comments.Count > 0 ? context.Comments[^1].Text : null);
                var sr = TriageReport.CreateVerified(study, DicomReader.ReadFile(previous.Path), verification, now);
                objects.Add(Keep(sr, ResultKind.VerifiedReport, model, now));
                continue;
            }
            var report = previous is null
                ? TriageReport.Create(study, now)
                : TriageReport.CreateSuccessor(study, DicomReader.ReadFile(previous.Path), now);
            objects.Add(Keep(report, ResultKind.Report, model, now));
            var first = context.Results.Count(r => r.Kind == ResultKind.Heatmap) + objects.Count(o => o.Kind == ResultKind.Heatmap);
            foreach (var capture in HeatmapCapture.CreateAll(study, now))
            {
                // Numbered on from earlier versions' (and other models') images, so each number stays one instance in the series.
                capture.Dataset.SetString(Tag.InstanceNumber, VR.IS, (first + capture.Dataset.GetInt(Tag.InstanceNumber)!.Value)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture));
                objects.Add(Keep(capture, ResultKind.Heatmap, model, now));
            }
        }
        if (objects.Count == 0)
        {
            return false;
        }
        var recorded = await store.RecordResultsAsync(due, objects, routing.KeysFor(context.Clinic), ct).ConfigureAwait(false);
        if (recorded)
        {
            LogWritten(due.StudyInstanceUid, due.Verified ? "verified report" : "report", objects.Count);
        }
        return recorded;
    }

    private ResultObject Keep(DicomFile file, string kind, string model, DateTimeOffset now)
    {
        var path = archive.KeepCreated(file);
        var ds = file.Dataset;
        return new ResultObject(ds.GetString(Tag.SOPInstanceUID)!, ds.GetString(Tag.StudyInstanceUID)!, ds.GetString(Tag.SeriesInstanceUID)!,
            ds.GetString(Tag.SOPClassUID)!, kind, model, ds.GetString(Tag.Modality) ?? "", ds.GetInt(Tag.SeriesNumber) ?? 0,
            ds.GetString(Tag.SeriesDescription) ?? "", ds.GetInt(Tag.InstanceNumber) ?? 0, path, now);
    }

    /// <summary>The study's findings per model as the result objects report them, with the source images read from the
    /// archive (and, for heatmap images, the maps the store keeps for display).</summary>
    private static IEnumerable<(string Model, ScoredStudy Study)> ScoredStudies(ResultContext context, LabelCodes codes, bool withHeatmaps)
    {
        var models = context.Sources.SelectMany(s => s.Findings).Select(f => f.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var model in models)
        {
            var instances = new List<ScoredInstance>();
            ResultAlgorithm? algorithm = null;
            foreach (var source in context.Sources)
            {
                var findings = source.Findings.Where(f => f.Model == model).ToList();
                if (findings.Count == 0)
                {
                    continue;
                }
                algorithm ??= new ResultAlgorithm(model, findings[0].ModelVersion, findings[0].ModelSha256);
                var file = DicomReader.ReadFile(source.Path, new DicomReadOptions { LazyPixelData = true });
                instances.Add(new ScoredInstance(file, findings.Select(f => new ResultFinding(f.Label, codes.For(model, f.Label), f.Probability,
                    f.Positive, f.Threshold)
                {
                    Heatmap = withHeatmaps && f.Positive ? MapFor(source, f) : null,
                }).ToList()));
            }
            if (algorithm is not null)
            {
                yield return (model, new ScoredStudy(instances, algorithm, context.Stat, context.Complete));
            }
        }
    }

    private static Inference.Heatmap? MapFor(ResultSource source, FindingDetail f)
    {
        var png = source.Heatmaps.FirstOrDefault(h => h.Model == f.Model && h.Label == f.Label)
            ?? source.Heatmaps.FirstOrDefault(h => h.Model == f.Model && h.Label == HeatmapImages.WholeImage);
        return png is null ? null : HeatmapImages.FromPng(f.Label, png.Png);
    }

    private static List<ReviewDecision> Decisions(ResultContext context) =>
        context.Sources.SelectMany(s => s.Findings).Where(f => f.Review is not null)
            .Select(f => new ReviewDecision(f.SopInstanceUid, f.Label, f.Review!.Decision == "confirmed")).ToList();

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "study results: {Kind} written for {StudyInstanceUid} ({Objects} objects)")]
    private partial void LogWritten(string studyInstanceUid, string kind, int objects);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Error, Message = "study results for {StudyInstanceUid} not written (failure {Failures}, tried again later): {ErrorType}: {Error}")]
    private partial void LogFailed(string studyInstanceUid, int failures, string errorType, string error);
}
