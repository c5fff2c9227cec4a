namespace RemoteDx.Phantoms;

/// <summary>A batch of chest phantoms: how many, from which seed, at what size, how often abnormal, stored how.</summary>
public sealed record PhantomBatchOptions
{
    public int Count { get; init; } = 100;

    public long Seed { get; init; } = 1;

    public int Size { get; init; } = 1024;

    /// <summary>Share of cases with at least one finding.</summary>
    public double FindingsRate { get; init; } = 0.5;

    /// <summary>Null mixes native, RLE and JPEG Lossless files (60/20/20).</summary>
    public PixelEncoding? Encoding { get; init; }

    /// <summary>Cases generated at once (default: one per core).</summary>
    public int? Parallelism { get; init; }
}
