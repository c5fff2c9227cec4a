namespace RemoteDx.Dicom.Imaging;

/// <summary>The VOI LUT transformation from modality values to 8-bit display values: a window (centre, width and
/// VOI LUT Function) or a VOI LUT. PS3.3 C.11.2.</summary>
internal sealed class VoiTransform
{
    private const double OutMax = 255;

    private readonly LookupTable? _lut;
    private readonly double _lutScale;

    private VoiTransform(double center, double width, VoiLutFunction function, LookupTable? lut, double lutScale)
    {
        Center = center;
        Width = width;
        Function = function;
        _lut = lut;
        _lutScale = lutScale;
    }

    public double Center { get; }

    public double Width { get; }

    public VoiLutFunction Function { get; }

    public bool IsLut => _lut is not null;

    /// <summary>Maps a modality value to [0, 255] (not yet rounded).</summary>
    public double Apply(double x)
    {
        if (_lut is { } lut)
        {
            return Math.Min(OutMax, lut.Lookup(x) * _lutScale);
        }
        switch (Function)
        {
            case VoiLutFunction.LinearExact:
            {
                // PS3.3 C.11.2.1.3.2
                if (x <= Center - Width / 2)
                {
                    return 0;
                }
                return x > Center + Width / 2 ? OutMax : ((x - Center) / Width + 0.5) * OutMax;
            }
            case VoiLutFunction.Sigmoid:
                // PS3.3 C.11.2.1.3.1
                return OutMax / (1 + Math.Exp(-4 * (x - Center) / Width));
            default:
            {
                // PS3.3 C.11.2.1.2.1: with w = 1 the window is a threshold at c - 0.5.
                var c = Center - 0.5;
                var w = Width - 1;
                if (x <= c - w / 2)
                {
                    return 0;
                }
                return x > c + w / 2 ? OutMax : ((x - c) / w + 0.5) * OutMax;
            }
        }
    }

    public static VoiTransform Window(double center, double width, VoiLutFunction function) =>
        new(center, function == VoiLutFunction.Linear ? Math.Max(1, width) : width, function, null, 0);

    /// <summary>Chooses the VOI for a frame, in this order: the caller's window; the dataset's window at
    /// <see cref="RenderOptions.WindowIndex"/> (PS3.3 C.11.2.1.2, from the Frame VOI LUT functional group when
    /// present, PS3.3 C.7.6.16.2.10); the VOI LUT Sequence item at that index (PS3.3 C.11.2.1.1); otherwise a
    /// LINEAR_EXACT window spanning the smallest to the largest modality value of the frame, which
    /// <paramref name="frameRange"/> computes only when needed.</summary>
    public static VoiTransform Select(Dataset ds, RenderOptions options, ModalityLut modality, PixelFormat format, Func<(double Min, double Max)> frameRange)
    {
        var source = FunctionalGroups.Source(ds, options.Frame, Tag.FrameVOILUTSequence, Tag.WindowCenter);
        var function = ParseFunction(source.GetString(Tag.VOILUTFunction) ?? ds.GetString(Tag.VOILUTFunction));
        if (options.WindowCenter is { } oc && options.WindowWidth is { } ow)
        {
            if (!double.IsFinite(oc) || !double.IsFinite(ow) || ow <= 0)
            {
                throw new DicomException($"window centre {oc} / width {ow} is not usable: the width must be positive");
            }
            return Window(oc, ow, function);
        }
        if (options.WindowIndex < 0)
        {
            throw new DicomException($"window index {options.WindowIndex} is negative");
        }
        var centers = source.GetDoubles(Tag.WindowCenter);
        var widths = source.GetDoubles(Tag.WindowWidth);
        var windows = Math.Min(centers.Length, widths.Length);
        if (windows > 0)
        {
            if (options.WindowIndex >= windows)
            {
                throw new DicomException($"window index {options.WindowIndex} is outside 0..{windows - 1} (the dataset has {windows} windows)");
            }
            var c = centers[options.WindowIndex];
            var w = widths[options.WindowIndex];
            // PS3.3 C.11.2.1.2.1 / C.11.2.1.3: width >= 1 for LINEAR, > 0 otherwise; an unusable stored window is
            // passed over for the next source rather than failing the whole image.
            if (double.IsFinite(c) && double.IsFinite(w) && (function == VoiLutFunction.Linear ? w >= 1 : w > 0))
            {
                return Window(c, w, function);
            }
        }
        if (ds.GetSequence(Tag.VOILUTSequence) is { Items.Count: > 0 } seq)
        {
            if (options.WindowIndex >= seq.Items.Count)
            {
                throw new DicomException($"VOI LUT index {options.WindowIndex} is outside 0..{seq.Items.Count - 1}");
            }
            return Lut(seq.Items[options.WindowIndex], modality, format);
        }
        var (min, max) = frameRange();
        return Window((min + max) / 2, Math.Max(max - min, 1), VoiLutFunction.LinearExact);
    }

    private static VoiTransform Lut(Dataset item, ModalityLut modality, PixelFormat format)
    {
        // PS3.3 C.11.2.1.1: the first value mapped is in modality output units, so it is signed when that output
        // can be negative (e.g. Hounsfield units) even if the VR says US.
        var (storedMin, storedMax) = StoredRange(format);
        var (outMin, _) = modality.OutputRange(storedMin, storedMax);
        var lut = LookupTable.Parse(item, Tag.LUTDescriptor, Tag.LUTData, firstIsSigned: outMin < 0);
        // Some writers declare 16 bits per entry but store 12-bit values, others the reverse; scale by the
        // declared depth unless the entries exceed it.
        var bits = lut.BitsPerEntry;
        var (_, entryMax) = lut.EntryRange();
        while (bits < 16 && entryMax >= 1 << bits)
        {
            bits++;
        }
        return new VoiTransform(0, 0, VoiLutFunction.Linear, lut, OutMax / ((1 << bits) - 1));
    }

    /// <summary>The stored values Bits Stored and Pixel Representation allow. PS3.3 C.7.6.3.1.</summary>
    public static (long Min, long Max) StoredRange(PixelFormat f)
    {
        var bits = Math.Min(f.BitsStored, 63);
        return f.IsSigned ? (-(1L << (bits - 1)), (1L << (bits - 1)) - 1) : (0, (1L << bits) - 1);
    }

    private static VoiLutFunction ParseFunction(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "LINEAR_EXACT" => VoiLutFunction.LinearExact,
        "SIGMOID" => VoiLutFunction.Sigmoid,
        // LINEAR is the default when absent (PS3.3 C.11.2.1.3); unknown values fall back to it as well.
        _ => VoiLutFunction.Linear,
    };
}
