using System.Collections.Concurrent;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Test-only scorer: returns the same deterministic score for every image (or throws, or reports "not
/// applicable"), counting its calls. Not a model; the real registry replaces it in serve.</summary>
public sealed class FixedScorer(ImageScore score, Exception? error = null) : IImageScorer
{
    private int _calls;
    public ConcurrentBag<string> Scored { get; } = [];

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Optional pause inside each call (to widen races in concurrency tests).</summary>
    public TimeSpan Delay { get; init; }

    public async Task<ImageScore> ScoreAsync(DicomFile file, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _calls);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, ct);
        }
        Scored.Add(file.Dataset.GetString(Tag.SOPInstanceUID) ?? "");
        if (error is not null)
        {
            throw error;
        }
        return score;
    }

    public static ModelScore Model(string name, params (string Label, float P, bool Positive, bool Critical, float Urgency)[] labels) =>
        new(name, "1.0.0", "ab12", labels.Select(l => new LabelScore(l.Label, l.P, l.Positive, 0.5f, l.Urgency, l.Critical)).ToList(),
            [new Heatmap(labels.FirstOrDefault().Label, 8, 8, Enumerable.Range(0, 64).Select(i => i / 63f).ToArray())],
            new InputPlacement(0, 0.125f, 1, 0.75f));

    public static ImageScore Score(params ModelScore[] models) => new(models);
}
