using RemoteDx.Testing;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Results;
using RemoteDx.Core.Tests.Inference;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Tests.Results;

/// <summary>Scored studies built from the shipped samples with made-up findings and heatmaps, so the result objects
/// are checked on real headers and pixels (DX MONOCHROME2 JPEG Lossless two-image study; CR MONOCHROME1 native).</summary>
internal static class ResultStudies
{
    public static readonly ResultAlgorithm Algorithm = new("cxr-triage", "1.0.0", new string('a', 64));

    public static readonly DateTimeOffset Scored = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    public static DicomFile Sample(string relative) =>
        DicomFile.Open(Path.Combine(Repo.Root, "sample-dicom", relative));

    /// <summary>The two-image effusion/cardiomegaly study: effusion positive on both images, cardiomegaly on the first.</summary>
    public static ScoredStudy TwoImageStudy(bool stat = false, bool complete = true)
    {
        var first = Sample("clinic-a/effusion-cardiomegaly/1-pa.dcm");
        var second = Sample("clinic-a/effusion-cardiomegaly/2-pa-repeat.dcm");
        return new ScoredStudy(
        [
            new ScoredInstance(first,
            [
                Finding("effusion", 0.9612, true, 0.928),
                Finding("cardiomegaly", 0.8125, true, 0.7262),
                Finding("pneumothorax", 0.0123, false, 0.8421),
            ]),
            new ScoredInstance(second,
            [
                Finding("effusion", 0.9431, true, 0.928),
                Finding("cardiomegaly", 0.5, false, 0.7262),
                Finding("pneumothorax", 0.0456, false, 0.8421),
            ]),
        ], Algorithm, stat, complete);
    }

    /// <summary>The CR MONOCHROME1 consolidation sample, letterboxed heatmap, consolidation positive.</summary>
    public static ScoredStudy CrStudy() => new(
    [
        new ScoredInstance(Sample("clinic-b/consolidation-pa.dcm"),
        [
            Finding("consolidation", 0.77, true, 0.2335) with { Letterbox = new InputPlacement(0.1f, 0, 0.8f, 1) },
            Finding("nodule", 0.02, false, 0.2675),
        ]),
    ], Algorithm, Stat: false);

    public static ResultFinding Finding(string label, double probability, bool positive, double threshold) =>
        new(label, Code(label), probability, positive, threshold) { Heatmap = Blob(24, label.Length % 3) };

    private static CodedConcept Code(string label)
    {
        var manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(Repo.Root, "models", "cxr-triage", "manifest.json")), "manifest.json");
        return ResultCodes.ForLabel(manifest.Labels.Single(l => l.Name == label));
    }

    /// <summary>A smooth blob, off centre so orientation mistakes show.</summary>
    private static Heatmap Blob(int size, int shift)
    {
        var values = new float[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var dx = (x - size * (0.3 + 0.1 * shift)) / (size * 0.2);
                var dy = (y - size * 0.6) / (size * 0.25);
                values[y * size + x] = (float)Math.Exp(-(dx * dx + dy * dy));
            }
        }
        return new Heatmap(null, size, size, values);
    }
}
