namespace RemoteDx.Core.Inference;

/// <summary>One label of one model on one image.</summary>
public sealed record LabelScore(string Label, float Probability, bool Positive, float Threshold, float Urgency, bool Critical);

/// <summary>A coarse localisation map for one label (or the whole image when <see cref="Label"/> is null), values in
/// [0, 1], row-major, in the model's input geometry mapped back to the image (see <see cref="ModelScore.Letterbox"/>).</summary>
public sealed record Heatmap(string? Label, int Width, int Height, float[] Values);

/// <summary>Where the image sits inside the model input (letterbox padding), as fractions of the input size, so a
/// heatmap can be drawn over the original image.</summary>
public readonly record struct InputPlacement(float Left, float Top, float Width, float Height);

/// <summary>One model's verdict on one image.</summary>
public sealed record ModelScore(
    string Model,
    string Version,
    string Sha256,
    IReadOnlyList<LabelScore> Labels,
    IReadOnlyList<Heatmap> Heatmaps,
    InputPlacement Letterbox)
{
    /// <summary>This verdict ranked by the ranking rule (<see cref="Pipeline.Rank"/>).</summary>
    public Pipeline.Rank Rank
    {
        get
        {
            var rank = Pipeline.Rank.None;
            foreach (var l in Labels)
            {
                rank = rank.With(l.Probability, l.Urgency, l.Positive, l.Critical);
            }
            return rank;
        }
    }

    /// <summary>Ranking contribution (<see cref="Pipeline.Rank.Priority"/>).</summary>
    public float Priority => (float)Rank.Priority;

    /// <summary>True when a critical label is positive (<see cref="Pipeline.Rank.Stat"/>).</summary>
    public bool Stat => Rank.Stat;
}

/// <summary>Every applicable model's verdict on one image. Empty <see cref="Models"/> means no model applies
/// (recorded as "not applicable", not as an error).</summary>
public sealed record ImageScore(IReadOnlyList<ModelScore> Models)
{
    public bool NotApplicable => Models.Count == 0;
}

/// <summary>What the pipeline and batch scoring call. Implemented by the model registry.</summary>
public interface IImageScorer
{
    /// <summary>Scores the first frame of <paramref name="file"/> with every model that applies. Throws
    /// DicomException-derived errors for undecodable pixels; <see cref="InferenceUnavailableException"/> when no
    /// model could be loaded at all.</summary>
    Task<ImageScore> ScoreAsync(RemoteDx.Dicom.DicomFile file, CancellationToken ct = default);
}

public sealed class InferenceUnavailableException(string message) : Exception(message);
