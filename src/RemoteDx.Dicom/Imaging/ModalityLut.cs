namespace RemoteDx.Dicom.Imaging;

/// <summary>The Modality LUT transformation: stored values to modality values (Hounsfield units, optical density...),
/// either a linear rescale or a LUT. PS3.3 C.11.1.</summary>
public sealed class ModalityLut
{
    private ModalityLut(double slope, double intercept, LookupTable? lut)
    {
        Slope = slope;
        Intercept = intercept;
        Lut = lut;
    }

    public double Slope { get; }

    public double Intercept { get; }

    /// <summary>The Modality LUT Sequence's table, or null when the rescale applies.</summary>
    public LookupTable? Lut { get; }

    public bool IsIdentity => Lut is null && Slope == 1 && Intercept == 0;

    public double Apply(long stored) => Lut is { } lut ? lut.Lookup(stored) : stored * Slope + Intercept;

    /// <summary>The smallest and largest modality values stored values in [min, max] map to. A LUT need not be
    /// monotonic, so its whole range of entries is scanned over the covered inputs.</summary>
    public (double Min, double Max) OutputRange(long min, long max)
    {
        if (Lut is { } lut)
        {
            var lo = Math.Clamp(min - lut.FirstInput, 0, lut.Entries.Length - 1);
            var hi = Math.Clamp(max - lut.FirstInput, 0, lut.Entries.Length - 1);
            int a = int.MaxValue, b = int.MinValue;
            for (var i = lo; i <= hi; i++)
            {
                a = Math.Min(a, lut.Entries[i]);
                b = Math.Max(b, lut.Entries[i]);
            }
            return (a, b);
        }
        var x = Apply(min);
        var y = Apply(max);
        return (Math.Min(x, y), Math.Max(x, y));
    }

    /// <summary>The frame's Modality LUT: the Modality LUT Sequence when present (PS3.3 C.11.1.1.1), else Rescale
    /// Slope and Intercept, from the frame's Pixel Value Transformation functional group when the image has one
    /// (PS3.3 C.7.6.16.2.9), defaulting to identity.</summary>
    public static ModalityLut For(Dataset ds, int frame, PixelFormat format)
    {
        if (ds.GetSequence(Tag.ModalityLUTSequence) is { Items.Count: > 0 } seq)
        {
            var item = seq.Items[0];
            var lut = LookupTable.Parse(item, Tag.LUTDescriptor, Tag.LUTData, firstIsSigned: format.IsSigned);
            return new ModalityLut(1, 0, lut);
        }
        var source = FunctionalGroups.Source(ds, frame, Tag.PixelValueTransformationSequence, Tag.RescaleSlope);
        var slope = source.GetDouble(Tag.RescaleSlope) ?? 1;
        var intercept = source.GetDouble(Tag.RescaleIntercept) ?? 0;
        if (!double.IsFinite(slope) || !double.IsFinite(intercept))
        {
            throw new DicomFormatException($"Rescale Slope {slope} / Intercept {intercept} is not a finite number", tag: Tag.RescaleSlope);
        }
        // A zero slope would flatten the image to one value; such files exist and mean "no rescale".
        return new ModalityLut(slope == 0 ? 1 : slope, intercept, null);
    }
}
