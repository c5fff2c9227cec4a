using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Batch;

/// <summary>One label of one model on a labelled set.</summary>
public sealed record LabelValidation(
    string Model,
    string ModelVersion,
    string Label,
    int Cases,
    int Positives,
    int Negatives,
    double Auc,
    AucInterval? AucInterval,
    double Threshold,
    double Sensitivity,
    double Specificity,
    RocPoint? AtTargetSensitivity,
    IReadOnlyList<RocPoint> Curve);

/// <summary>A labelled file that has no scores, and why.</summary>
public sealed record UnscoredFile(string File, string Reason);

public sealed record ValidationReport(
    string LabelsFile,
    double TargetSensitivity,
    int Resamples,
    int Seed,
    int FilesLabelled,
    int FilesScored,
    IReadOnlyList<LabelValidation> Labels,
    IReadOnlyList<string> LabelsNotInModels,
    IReadOnlyList<string> ModelLabelsNotInCsv,
    IReadOnlyList<UnscoredFile> Unscored,
    int ScoredButNotLabelled);

/// <summary>Joins a batch run with the ground truth and computes, per model label present in the labels file: AUC
/// with its bootstrap interval, sensitivity and specificity at the manifest threshold, the threshold reaching the
/// target sensitivity, and the ROC curve. A label missing on either side is listed, not fatal.</summary>
public static class ModelValidation
{
    public static ValidationReport Compute(LabelsFile labels, ValidationCollector results, IReadOnlyList<ModelManifest> models,
        double targetSensitivity = 0.95, int resamples = Bootstrap.DefaultResamples, int seed = Bootstrap.DefaultSeed)
    {
        var column = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Labels.Count; i++)
        {
            column[labels.Labels[i]] = i;
        }
        var figures = new List<LabelValidation>();
        var notInCsv = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in models)
        {
            foreach (var label in m.Labels)
            {
                if (!column.TryGetValue(label.Name, out var c))
                {
                    notInCsv.Add($"{m.Name}/{label.Name}");
                    continue;
                }
                used.Add(label.Name);
                results.TryGetScores(m.Name, label.Name, out var table);
                var scores = new List<double>();
                var truth = new List<bool>();
                foreach (var f in labels.Files)
                {
                    if (labels.Truth[f][c] is { } t && table.TryGetValue(f, out var s))
                    {
                        scores.Add(s);
                        truth.Add(t);
                    }
                }
                figures.Add(One(m, label, scores.ToArray(), truth.ToArray(), targetSensitivity, resamples, seed));
            }
        }
        var unscored = new List<UnscoredFile>();
        var scored = 0;
        foreach (var f in labels.Files)
        {
            if (!results.Outcomes.TryGetValue(f, out var r))
            {
                unscored.Add(new UnscoredFile(f, "not among the files scored"));
            }
            else if (r.Status == BatchStatus.Error)
            {
                unscored.Add(new UnscoredFile(f, r.Error ?? "error"));
            }
            else if (r.Status == BatchStatus.NotApplicable)
            {
                unscored.Add(new UnscoredFile(f, "no selected model applies to it"));
            }
            else
            {
                scored++;
            }
        }
        var extra = results.Outcomes.Keys.Count(k => !labels.Truth.ContainsKey(k));
        return new ValidationReport(labels.Path, targetSensitivity, resamples, seed, labels.Files.Count, scored, figures,
            labels.Labels.Where(l => !used.Contains(l)).ToList(), notInCsv, unscored, extra);
    }

    private static LabelValidation One(ModelManifest m, ManifestLabel label, double[] scores, bool[] truth, double target,
        int resamples, int seed)
    {
        var positives = truth.Count(t => t);
        var curve = Roc.Curve(scores, truth);
        var (sens, spec) = Roc.At(scores, truth, label.Threshold);
        return new LabelValidation(
            m.Name, m.Version, label.Name, scores.Length, positives, scores.Length - positives,
            Roc.Auc(scores, truth),
            Bootstrap.Auc(scores, truth, resamples, seed),
            label.Threshold, sens, spec,
            positives > 0 ? Roc.ThresholdForSensitivity(curve, target) : null,
            curve);
    }
}
