using RemoteDx.Core.Inference;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>The model that produced the findings (TID 4019 Algorithm Identification; the manifest's sha256 is the
/// .onnx file's, so it pins the exact weights).</summary>
public sealed record ResultAlgorithm(string Name, string Version, string Sha256);

/// <summary>One label of the model on one image. <see cref="Heatmap"/> and <see cref="Letterbox"/> come from the
/// model output (<see cref="ModelScore"/>) and are used to draw the heatmap image of a positive finding.</summary>
public sealed record ResultFinding(string Label, CodedConcept Code, double Probability, bool Positive, double Threshold)
{
    public Heatmap? Heatmap { get; init; }

    public InputPlacement Letterbox { get; init; } = new(0, 0, 1, 1);
}

/// <summary>One scored source instance: the file (its header is copied into the results, its pixels are drawn under
/// the heatmap) and the findings on it.</summary>
public sealed record ScoredInstance(DicomFile Source, IReadOnlyList<ResultFinding> Findings)
{
    public Dataset Dataset => Source.Dataset;

    public string SopClassUid => Dataset.GetString(Tag.SOPClassUID) ?? throw new InvalidOperationException("source has no SOP Class UID");

    public string SopInstanceUid => Dataset.GetString(Tag.SOPInstanceUID) ?? throw new InvalidOperationException("source has no SOP Instance UID");

    public string SeriesInstanceUid => Dataset.GetString(Tag.SeriesInstanceUID) ?? throw new InvalidOperationException("source has no Series Instance UID");

    /// <summary>The findings of a scored image, with each label's code taken from the model manifest.</summary>
    public static ScoredInstance From(DicomFile source, ModelScore score, ModelManifest manifest)
    {
        var findings = new List<ResultFinding>(score.Labels.Count);
        foreach (var l in score.Labels)
        {
            var label = manifest.Labels.FirstOrDefault(m => m.Name == l.Label);
            var code = label is null ? ResultCodes.ForLabel(l.Label) : ResultCodes.ForLabel(label);
            findings.Add(new ResultFinding(l.Label, code, l.Probability, l.Positive, l.Threshold)
            {
                Heatmap = score.Heatmaps.FirstOrDefault(h => h.Label == l.Label) ?? score.Heatmaps.FirstOrDefault(h => h.Label is null),
                Letterbox = score.Letterbox,
            });
        }
        return new ScoredInstance(source, findings);
    }
}

/// <summary>A scored study, what the SR reports. <see cref="Complete"/> is false while some instance of the study is
/// not scored (Completion Flag PARTIAL); <see cref="Stat"/> is the STAT flag of the ranking rule.</summary>
public sealed record ScoredStudy(IReadOnlyList<ScoredInstance> Instances, ResultAlgorithm Algorithm, bool Stat, bool Complete = true)
{
    public string StudyInstanceUid => Instances.Count > 0
        ? Instances[0].Dataset.GetString(Tag.StudyInstanceUID) ?? throw new InvalidOperationException("source has no Study Instance UID")
        : throw new InvalidOperationException("a scored study needs at least one instance");
}
