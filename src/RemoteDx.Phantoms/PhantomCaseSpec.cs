namespace RemoteDx.Phantoms;

/// <summary>What to generate for one file. Everything left null is drawn from the seed and <see cref="Index"/>, so
/// a batch needs only those two; the curated sample set pins the rest.</summary>
public sealed record PhantomCaseSpec
{
    public required long Seed { get; init; }

    /// <summary>Case number within the seed: anatomy, findings and identity are drawn from it.</summary>
    public required int Index { get; init; }

    public string? FileName { get; init; }

    public PhantomBodyPart BodyPart { get; init; } = PhantomBodyPart.Chest;

    public PhantomFindings? Findings { get; init; }

    public double FindingsRate { get; init; } = 0.5;

    public ProjectionView? View { get; init; }

    public string? Modality { get; init; }

    public string? Photometric { get; init; }

    public PixelEncoding? Encoding { get; init; }

    public Clinic? Clinic { get; init; }

    /// <summary>Acquisition stream: a second image of the same patient (same anatomy and findings) taken again uses
    /// another value. Defaults to <see cref="Index"/>.</summary>
    public int? AcquisitionIndex { get; init; }

    /// <summary>Cases with the same study key (and seed) share patient and study; null gives each case its own.</summary>
    public string? StudyKey { get; init; }

    public int SeriesNumber { get; init; } = 1;

    public int InstanceNumber { get; init; } = 1;

    public int Size { get; init; } = 1024;
}
