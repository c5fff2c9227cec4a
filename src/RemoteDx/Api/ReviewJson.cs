using System.Text.Json;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>The review's part of the JSON (docs/api.md "Review", "Clinic users"): decisions per label, clinical notes,
/// findings grouped per label with the images they come from, and what a clinic user may not see yet.</summary>
internal static class ReviewJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new UtcTimestampConverter() } };

    /// <summary>A worklist item as <paramref name="view"/>'s user may see it: each finding with the label's
    /// <c>decision</c> (confirmed, dismissed or null), <c>hasClinicalNote</c>; without model output: no
    /// <c>priority</c>, <c>stat</c> or <c>findings</c>, and <c>modelOutputHidden</c> true.</summary>
    public static Dictionary<string, object?> Item(Dictionary<string, object?> o, WorklistItem s, StudyAnnotations a, ReaderView view)
    {
        o["hasClinicalNote"] = a.ClinicalNotes > 0;
        if (!view.ShowsModelOutput(s.Clinic, s.Status))
        {
            Hide(o);
            return o;
        }
        o["modelOutputHidden"] = false;
        var showDecisions = view.ShowsReview(s.Status);
        // Each finding as ApiJson.Item shaped it, plus the label's decision.
        var findings = JsonSerializer.SerializeToNode(o["findings"], Options)!.AsArray();
        foreach (var node in findings)
        {
            var f = node!.AsObject();
            var key = ((string?)f["model"] ?? "", (string?)f["label"] ?? "");
            f["decision"] = showDecisions ? a.Decisions.GetValueOrDefault(key)?.Decision : null;
        }
        o["findings"] = findings;
        return o;
    }

    private static void Hide(Dictionary<string, object?> o)
    {
        o.Remove("priority");
        o.Remove("stat");
        o.Remove("findings");
        o["modelOutputHidden"] = true;
    }

    /// <summary>The study as <paramref name="view"/>'s user may see it (<see cref="ApiJson.Study"/> plus
    /// <c>clinicalNotes</c>, <c>hasClinicalNote</c>, <c>findingGroups</c>; without model output no findings, heatmaps
    /// or groups; comments only for staff or once reviewed, else an empty list).</summary>
    public static Dictionary<string, object?> Study(Dictionary<string, object?> o, StudyDetail d, IReadOnlyList<ClinicalNote> notes, ReaderView view)
    {
        var s = d.Study;
        o["clinicalNotes"] = notes.Select(n => new { id = n.Id, by = n.By, at = n.At, history = n.History, question = n.Question }).ToList();
        o["hasClinicalNote"] = notes.Count > 0;
        if (!view.ShowsReview(s.Status))
        {
            o["comments"] = Array.Empty<object>();
        }
        if (!view.ShowsModelOutput(s.Clinic, s.Status))
        {
            Hide(o);
            // Each instance without its findings and heatmaps (the rest as ApiJson.Study shaped it).
            var series = JsonSerializer.SerializeToNode(o["series"], Options)!.AsArray();
            foreach (var instance in series.SelectMany(x => x!["instances"]!.AsArray()))
            {
                var i = instance!.AsObject();
                i.Remove("findings");
                i.Remove("heatmaps");
            }
            o["series"] = series;
            return o;
        }
        o["modelOutputHidden"] = false;
        o["findingGroups"] = Groups(d);
        return o;
    }

    /// <summary>One entry per model and label: the highest probability of its images, positive when any image is, the
    /// label's decision (the latest among its findings; every image's finding carries the same one), and the images in
    /// series and instance order. Positive groups first, then by probability.</summary>
    public static List<object> Groups(StudyDetail d) =>
        d.Series.SelectMany(se => se.Instances.SelectMany(i => i.Findings.Select(f => (Series: se, Instance: i, Finding: f))))
            .GroupBy(x => (x.Finding.Model, x.Finding.Label))
            .Select(g =>
            {
                var review = g.Select(x => x.Finding.Review).Where(r => r is not null).MaxBy(r => r!.At);
                return new
                {
                    model = g.Key.Model,
                    label = g.Key.Label,
                    probability = Math.Round(g.Max(x => x.Finding.Probability), 4),
                    positive = g.Any(x => x.Finding.Positive),
                    critical = g.Any(x => x.Finding.Positive && x.Finding.Critical),
                    threshold = Math.Round(g.Min(x => x.Finding.Threshold), 4),
                    modelVersion = g.First().Finding.ModelVersion,
                    review = ApiJson.Review(review),
                    images = g.Select(x => new
                    {
                        findingId = x.Finding.Id,
                        sopInstanceUid = x.Instance.SopInstanceUid,
                        seriesInstanceUid = x.Series.SeriesInstanceUid,
                        instanceNumber = x.Instance.InstanceNumber,
                        viewPosition = x.Instance.ViewPosition,
                        probability = Math.Round(x.Finding.Probability, 4),
                        positive = x.Finding.Positive,
                        heatmap = x.Instance.Heatmaps.Any(h => h.Model == x.Finding.Model && h.Label == x.Finding.Label),
                    }).ToList(),
                };
            })
            .OrderByDescending(g => g.positive).ThenByDescending(g => g.probability).ThenBy(g => g.label, StringComparer.Ordinal)
            .Cast<object>().ToList();

    /// <summary>The answer to a decision: the finding asked about (as <see cref="ApiJson.Finding"/>) plus the label's
    /// findings on every image.</summary>
    public static Dictionary<string, object?> Decided(IReadOnlyList<FindingDetail> findings, long asked)
    {
        var o = JsonSerializer.SerializeToNode(ApiJson.Finding(findings.First(f => f.Id == asked)), Options)!.AsObject()
            .ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone());
        o["findings"] = findings.Select(ApiJson.Finding).ToList();
        return o;
    }

    public static object Note(ClinicalNote n) => new { id = n.Id, studyInstanceUid = n.StudyInstanceUid, by = n.By, at = n.At, history = n.History, question = n.Question };

    public static object Settings(ClinicSettings c) => new { clinic = c.Clinic, showModelOutput = c.ShowModelOutput, updatedBy = c.UpdatedBy, updatedAt = c.UpdatedAt };

    public static object Clinic(ClinicOverview c) => new
    {
        clinic = c.Settings.Clinic, showModelOutput = c.Settings.ShowModelOutput, studies = c.Studies, updatedBy = c.Settings.UpdatedBy,
        updatedAt = c.Settings.UpdatedAt,
    };
}
