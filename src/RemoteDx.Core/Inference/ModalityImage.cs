using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Imaging;

namespace RemoteDx.Core.Inference;

/// <summary>The first frame of an image as modality values (float32, row-major), with what the models' intensity
/// steps need: photometric, the file's first window, and order statistics for percentiles. Computed once per image
/// and shared by every model that scores it. Buffers come from the array pool; dispose returns them.</summary>
public sealed class ModalityImage : IDisposable
{
    private float[]? _values;
    private int[]? _histogram;
    private float[]? _sorted;
    private readonly int _histogramOffset;
    private readonly double _slope;
    private readonly double _intercept;

    public int Rows { get; }

    public int Columns { get; }

    public bool Monochrome1 { get; }

    public double? WindowCenter { get; }

    public double? WindowWidth { get; }

    public ReadOnlySpan<float> Values => _values.AsSpan(0, Rows * Columns);

    private ModalityImage(int rows, int columns, bool monochrome1, double? center, double? width, float[] values,
        int[]? histogram, int histogramOffset, double slope, double intercept)
    {
        Rows = rows;
        Columns = columns;
        Monochrome1 = monochrome1;
        WindowCenter = center;
        WindowWidth = width;
        _values = values;
        _histogram = histogram;
        _histogramOffset = histogramOffset;
        _slope = slope;
        _intercept = intercept;
    }

    /// <summary>Decodes frame 0 of <paramref name="file"/> (any photometric, bit depth and transfer syntax we decode)
    /// and applies the Modality LUT. Colour images become luminance of their rendered RGB (0..255).</summary>
    public static ModalityImage FromFile(DicomFile file)
    {
        var ds = file.Dataset;
        var format = PixelFormat.FromDataset(ds);
        var n = checked(format.Rows * format.Columns);
        double? center = null, width = null;
        if (ds.GetDoubles(Tag.WindowCenter) is { Length: > 0 } cs && ds.GetDoubles(Tag.WindowWidth) is { Length: > 0 } ws
            && double.IsFinite(cs[0]) && double.IsFinite(ws[0]) && ws[0] >= 1)
        {
            center = cs[0];
            width = ws[0];
        }
        if (format.SamplesPerPixel != 1 || format.PhotometricInterpretation == "PALETTE COLOR")
        {
            return FromColour(file, format, n);
        }
        var stored = PixelDataDecoder.DecodeFrame(file, 0);
        var modality = ModalityLut.For(ds, 0, format);
        var values = ArrayPool<float>.Shared.Rent(n);
        var dest = values.AsSpan(0, n);
        int[]? histogram = null;
        var offset = 0;
        switch (format.BytesPerSample)
        {
            case 1:
                TensorPrimitives.ConvertChecked<byte, float>(stored.AsSpan(0, n), dest);
                histogram = Histogram(stored.AsSpan(0, n), out offset);
                break;
            case 2 when format.IsSigned:
                {
                    var s = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(stored.AsSpan(0, n * 2));
                    if (!BitConverter.IsLittleEndian)
                    {
                        throw new PlatformNotSupportedException("big-endian hosts");
                    }
                    TensorPrimitives.ConvertChecked<short, float>(s, dest);
                    histogram = Histogram(s, out offset);
                    break;
                }
            case 2:
                {
                    var s = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(stored.AsSpan(0, n * 2));
                    TensorPrimitives.ConvertChecked<ushort, float>(s, dest);
                    histogram = Histogram(s, out offset);
                    break;
                }
            default:
                for (var i = 0; i < n; i++)
                {
                    var raw = BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(i * 4));
                    dest[i] = format.IsSigned ? (int)raw : raw;
                }
                break;
        }
        double slope = 1, intercept = 0;
        if (modality.Lut is { } lut)
        {
            for (var i = 0; i < n; i++)
            {
                dest[i] = lut.Lookup(dest[i]);
            }
            // Order statistics of a table lookup need the values themselves.
            ReturnHistogram(ref histogram);
        }
        else
        {
            slope = modality.Slope;
            intercept = modality.Intercept;
            if (slope != 1 || intercept != 0)
            {
                Affine.Apply(dest, (float)slope, (float)intercept, dest);
            }
        }
        return new ModalityImage(format.Rows, format.Columns, format.PhotometricInterpretation == "MONOCHROME1",
            center, width, values, histogram, offset, slope, intercept);
    }

    private static ModalityImage FromColour(DicomFile file, PixelFormat format, int n)
    {
        var rendered = ImageRenderer.Render(file, new RenderOptions());
        var values = ArrayPool<float>.Shared.Rent(n);
        var px = rendered.Pixels;
        var c = rendered.Channels;
        for (var i = 0; i < n; i++)
        {
            values[i] = c == 3 ? 0.299f * px[i * 3] + 0.587f * px[i * 3 + 1] + 0.114f * px[i * 3 + 2] : px[i * c];
        }
        return new ModalityImage(format.Rows, format.Columns, false, null, null, values, null, 0, 1, 0);
    }

    private static int[] Histogram(ReadOnlySpan<byte> s, out int offset)
    {
        offset = 0;
        var h = RentCleared(256);
        foreach (var v in s)
        {
            h[v]++;
        }
        return h;
    }

    private static int[] Histogram(ReadOnlySpan<ushort> s, out int offset)
    {
        offset = 0;
        var h = RentCleared(65536);
        foreach (var v in s)
        {
            h[v]++;
        }
        return h;
    }

    private static int[] Histogram(ReadOnlySpan<short> s, out int offset)
    {
        offset = 32768;
        var h = RentCleared(65536);
        foreach (var v in s)
        {
            h[v + 32768]++;
        }
        return h;
    }

    private static int[] RentCleared(int length)
    {
        var h = ArrayPool<int>.Shared.Rent(length);
        Array.Clear(h, 0, length);
        return h;
    }

    private static void ReturnHistogram(ref int[]? histogram)
    {
        if (histogram is not null)
        {
            ArrayPool<int>.Shared.Return(histogram);
            histogram = null;
        }
    }

    /// <summary>The p-th percentile of the modality values with numpy's default (linear) interpolation.</summary>
    public double Percentile(double p)
    {
        var n = Rows * Columns;
        var rank = p / 100.0 * (n - 1);
        var lo = (long)Math.Floor(rank);
        var frac = rank - lo;
        var hi = Math.Min(lo + 1, n - 1);
        double a, b;
        if (_histogram is { } h)
        {
            // Sorted modality values are the sorted stored values mapped through the (linear) rescale; a negative
            // slope reverses the order.
            if (_slope >= 0)
            {
                (a, b) = (Stored(h, lo), Stored(h, hi));
            }
            else
            {
                (a, b) = (Stored(h, n - 1 - lo), Stored(h, n - 1 - hi));
            }
            a = a * _slope + _intercept;
            b = b * _slope + _intercept;
        }
        else
        {
            var sorted = SortedValues();
            a = sorted[(int)lo];
            b = sorted[(int)hi];
        }
        // numpy's _lerp: exact at both ends.
        return frac < 0.5 ? a + (b - a) * frac : b - (b - a) * (1 - frac);
    }

    public double Min() => _histogram is null ? TensorPrimitives.Min(Values) : Percentile(0);

    public double Max() => _histogram is null ? TensorPrimitives.Max(Values) : Percentile(100);

    private double Stored(int[] h, long k)
    {
        long seen = 0;
        for (var v = 0; v < h.Length; v++)
        {
            seen += h[v];
            if (seen > k)
            {
                return v - _histogramOffset;
            }
        }
        throw new InvalidOperationException("histogram shorter than the image");
    }

    private float[] SortedValues()
    {
        if (_sorted is null)
        {
            var n = Rows * Columns;
            _sorted = ArrayPool<float>.Shared.Rent(n);
            Values.CopyTo(_sorted);
            Array.Sort(_sorted, 0, n);
        }
        return _sorted;
    }

    public void Dispose()
    {
        if (_values is not null)
        {
            ArrayPool<float>.Shared.Return(_values);
            _values = null;
        }
        if (_sorted is not null)
        {
            ArrayPool<float>.Shared.Return(_sorted);
            _sorted = null;
        }
        ReturnHistogram(ref _histogram);
    }
}
