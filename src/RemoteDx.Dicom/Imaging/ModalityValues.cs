using System.Runtime.InteropServices;

namespace RemoteDx.Dicom.Imaging;

/// <summary>A window the dataset itself proposes: Window Center, Window Width and Window Center &amp; Width
/// Explanation at one index (PS3.3 C.11.2.1.2).</summary>
public sealed record VoiWindow(double Center, double Width, string? Explanation);

/// <summary>One frame as values a client can window itself: 16-bit grey values (stored values, or the Modality LUT
/// Sequence's output when the image has one) with the rescale that turns them into modality values, or 8-bit RGB
/// for colour images (already converted; windowing does not apply to them).</summary>
public sealed record ModalityFrame(
    int Width,
    int Height,
    int Columns,
    int Rows,
    bool IsColor,
    bool IsSigned,
    int BitsStored,
    double Slope,
    double Intercept,
    string Photometric,
    IReadOnlyList<VoiWindow> Windows,
    string VoiFunction,
    VoiWindow DefaultWindow,
    int Min,
    int Max,
    byte[] Values)
{
    /// <summary>True when every source pixel is there (no downsampling): the values are the original ones.</summary>
    public bool IsOriginal => Width == Columns && Height == Rows;
}

/// <summary>Reads one frame for client-side windowing (PS3.4 N.2.1's grayscale pipeline then runs in the browser):
/// only that frame is decoded, and it is box-averaged down to a size step when asked.</summary>
public static class ModalityValues
{
    public static ModalityFrame Read(DicomFile file, int frame, int? longerSide)
    {
        ArgumentNullException.ThrowIfNull(file);
        var ds = file.Dataset;
        var f = PixelFormat.FromDataset(ds);
        var (w, h) = Target(f.Columns, f.Rows, longerSide);
        if (f.PhotometricInterpretation is not ("MONOCHROME1" or "MONOCHROME2"))
        {
            var rgb = ImageRenderer.Render(file, new RenderOptions { Frame = frame });
            var pixels = rgb.Channels == 3 ? rgb.Pixels : Expand(rgb.Pixels);
            var shrunk = Shrink<byte>(pixels, f.Columns, f.Rows, 3, w, h);
            return new ModalityFrame(w, h, f.Columns, f.Rows, true, false, 8, 1, 0, f.PhotometricInterpretation, [], "LINEAR",
                new VoiWindow(127.5, 256, null), 0, 255, shrunk);
        }
        if (f.SamplesPerPixel != 1 || f.BytesPerSample > 2)
        {
            throw new NotSupportedException($"client-side windowing needs 1 sample of at most 16 bits, not {f.SamplesPerPixel} of {f.BitsAllocated}");
        }
        var stored = PixelDataDecoder.DecodeFrame(file, frame);
        var modality = ModalityLut.For(ds, frame, f);
        var n = checked((int)f.PixelsPerFrame);
        var values = new short[n];
        var signed = f.IsSigned;
        var bits = f.BitsStored;
        var (slope, intercept) = (modality.Slope, modality.Intercept);
        if (modality.Lut is { } lut)
        {
            // The Modality LUT Sequence is applied here: its output is unsigned and at most 16 bits (PS3.3 C.11.1.1.1).
            var entries = lut.Entries;
            for (var i = 0; i < n; i++)
            {
                values[i] = (short)(ushort)entries[Math.Clamp(Sample(stored, f, i) - lut.FirstInput, 0, entries.Length - 1)];
            }
            (signed, bits, slope, intercept) = (false, Math.Clamp(lut.BitsPerEntry, 8, 16), 1, 0);
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                values[i] = (short)Sample(stored, f, i);
            }
        }
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (w != f.Columns || h != f.Rows)
        {
            bytes = signed
                ? MemoryMarshal.AsBytes(Shrink<short>(MemoryMarshal.Cast<byte, short>(bytes), f.Columns, f.Rows, 1, w, h).AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(Shrink<ushort>(MemoryMarshal.Cast<byte, ushort>(bytes), f.Columns, f.Rows, 1, w, h).AsSpan()).ToArray();
        }
        var (min, max) = Range(bytes, signed);
        var source = FunctionalGroups.Source(ds, frame, Tag.FrameVOILUTSequence, Tag.WindowCenter);
        var centers = source.GetDoubles(Tag.WindowCenter);
        var widths = source.GetDoubles(Tag.WindowWidth);
        var explanations = source.GetStrings(Tag.WindowCenterWidthExplanation);
        var windows = new List<VoiWindow>();
        for (var i = 0; i < Math.Min(centers.Length, widths.Length); i++)
        {
            if (double.IsFinite(centers[i]) && double.IsFinite(widths[i]) && widths[i] > 0)
            {
                windows.Add(new VoiWindow(centers[i], widths[i], i < explanations.Length && explanations[i].Length > 0 ? explanations[i] : null));
            }
        }
        var function = (source.GetString(Tag.VOILUTFunction) ?? ds.GetString(Tag.VOILUTFunction))?.Trim().ToUpperInvariant() switch
        {
            "LINEAR_EXACT" => "LINEAR_EXACT",
            "SIGMOID" => "SIGMOID",
            _ => "LINEAR",
        };
        var lo = min * slope + intercept;
        var hi = max * slope + intercept;
        var fallback = new VoiWindow((Math.Min(lo, hi) + Math.Max(lo, hi)) / 2, Math.Max(Math.Abs(hi - lo), 1), null);
        return new ModalityFrame(w, h, f.Columns, f.Rows, false, signed, bits, slope, intercept, f.PhotometricInterpretation, windows,
            function, windows.Count > 0 ? windows[0] : fallback, min, max, bytes);
    }

    /// <summary>The size with the longer side at most <paramref name="longerSide"/>, aspect kept, never larger.</summary>
    public static (int Width, int Height) Target(int columns, int rows, int? longerSide)
    {
        var longer = Math.Max(columns, rows);
        if (longerSide is not { } s || longer <= s)
        {
            return (columns, rows);
        }
        return (Math.Max(1, (int)Math.Round(columns * (double)s / longer)), Math.Max(1, (int)Math.Round(rows * (double)s / longer)));
    }

    private static int Sample(byte[] stored, PixelFormat f, int i) => (f.BytesPerSample, f.IsSigned) switch
    {
        (1, false) => stored[i],
        (1, true) => (sbyte)stored[i],
        (2, false) => BitConverter.ToUInt16(stored, 2 * i),
        _ => BitConverter.ToInt16(stored, 2 * i),
    };

    private static (int Min, int Max) Range(byte[] bytes, bool signed)
    {
        int min = int.MaxValue, max = int.MinValue;
        if (signed)
        {
            foreach (var v in MemoryMarshal.Cast<byte, short>(bytes))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }
        else
        {
            foreach (var v in MemoryMarshal.Cast<byte, ushort>(bytes))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }
        return min > max ? (0, 0) : (min, max);
    }

    private static byte[] Expand(byte[] grey)
    {
        var rgb = new byte[grey.Length * 3];
        for (var i = 0; i < grey.Length; i++)
        {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        }
        return rgb;
    }

    /// <summary>Box average: each target pixel is the mean of the source pixels its area covers (at least one), so a
    /// downsampled step keeps the mean value of each region (the modality rescale is linear).</summary>
    private static T[] Shrink<T>(ReadOnlySpan<T> src, int sw, int sh, int channels, int w, int h)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        if (w == sw && h == sh)
        {
            return src.ToArray();
        }
        var dst = new T[w * h * channels];
        var sums = new long[channels];
        for (var y = 0; y < h; y++)
        {
            int y0 = (int)((long)y * sh / h), y1 = Math.Max(y0 + 1, (int)((long)(y + 1) * sh / h));
            for (var x = 0; x < w; x++)
            {
                int x0 = (int)((long)x * sw / w), x1 = Math.Max(x0 + 1, (int)((long)(x + 1) * sw / w));
                Array.Clear(sums);
                for (var yy = y0; yy < y1; yy++)
                {
                    var row = (yy * sw) * channels;
                    for (var xx = x0; xx < x1; xx++)
                    {
                        for (var c = 0; c < channels; c++)
                        {
                            sums[c] += long.CreateTruncating(src[row + xx * channels + c]);
                        }
                    }
                }
                long count = (long)(y1 - y0) * (x1 - x0);
                for (var c = 0; c < channels; c++)
                {
                    dst[(y * w + x) * channels + c] = T.CreateTruncating((long)Math.Round(sums[c] / (double)count, MidpointRounding.AwayFromZero));
                }
            }
        }
        return dst;
    }
}
