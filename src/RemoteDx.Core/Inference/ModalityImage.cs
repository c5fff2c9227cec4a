using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Imaging;

namespace RemoteDx.Core.Inference;

/// <summary>The first frame of an image as the models' preprocessing needs it: photometric, the file's first window,
/// and the pixels either as integer stored values with a linear rescale (the common case: preprocessing then maps
/// every possible stored value once through a lookup table) or as float modality values (colour, Modality LUT
/// Sequence, 32-bit). Computed once per image and shared by every model that scores it; dispose returns pooled
/// buffers.</summary>
public sealed class ModalityImage : IDisposable
{
    /// <summary>The frame (0-based) the models score in a multi-frame instance: the first, as the viewer's thumbnail
    /// and default frame show it (docs/models.md). Only this frame's bytes are read from the file.</summary>
    public const int ScoredFrame = 0;

    private byte[]? _stored;
    private float[]? _values;
    private int[]? _histogram;
    private float[]? _sorted;
    private readonly object _gate = new();

    public int Rows { get; }

    public int Columns { get; }

    public bool Monochrome1 { get; }

    public double? WindowCenter { get; }

    public double? WindowWidth { get; }

    /// <summary>Stored-value layout when the image is integer: 1 (uint8), 2 (uint16) or -2 (int16); 0 for float.</summary>
    internal int StoredKind { get; }

    internal double Slope { get; }

    internal double Intercept { get; }

    /// <summary>Number of distinct stored values a lookup table must cover, and the offset of value 0 in it.</summary>
    internal (int Length, int Offset) StoredRange => StoredKind switch
    {
        // Stored values are already masked (unsigned) or sign-extended (signed) to Bits Stored by the decoder.
        1 or 2 => (1 << _bitsStored, 0),
        -2 => (1 << _bitsStored, 1 << (_bitsStored - 1)),
        _ => (0, 0),
    };

    private readonly int _bitsStored;

    internal ReadOnlySpan<byte> StoredU8 => _stored.AsSpan(0, Rows * Columns);

    internal ReadOnlySpan<ushort> StoredU16 => MemoryMarshal.Cast<byte, ushort>(_stored.AsSpan(0, Rows * Columns * 2));

    internal ReadOnlySpan<short> StoredS16 => MemoryMarshal.Cast<byte, short>(_stored.AsSpan(0, Rows * Columns * 2));

    /// <summary>Float modality values (only when <see cref="StoredKind"/> is 0).</summary>
    internal ReadOnlySpan<float> Values => _values.AsSpan(0, Rows * Columns);

    private ModalityImage(int rows, int columns, bool monochrome1, double? center, double? width, byte[]? stored,
        int storedKind, double slope, double intercept, float[]? values, int bitsStored = 16)
    {
        _bitsStored = Math.Clamp(bitsStored, 1, 16);
        Rows = rows;
        Columns = columns;
        Monochrome1 = monochrome1;
        WindowCenter = center;
        WindowWidth = width;
        _stored = stored;
        StoredKind = storedKind;
        Slope = slope;
        Intercept = intercept;
        _values = values;
    }

    /// <summary>Decodes <see cref="ScoredFrame"/> of <paramref name="file"/> (any photometric, bit depth and transfer syntax we decode).
    /// Colour images become the luminance of their rendered RGB (0..255). <paramref name="countHistogram"/> says
    /// that the histogram of stored values will be wanted (percentile or min/max intensity,
    /// <see cref="ImagePreprocessor.NeedsHistogram"/>): it is then counted in the same pass that masks the stored
    /// values to Bits Stored, instead of a pass of its own later.</summary>
    public static ModalityImage FromFile(DicomFile file, bool countHistogram = false)
    {
        var ds = file.Dataset;
        var format = PixelFormat.FromDataset(ds);
        var n = checked(format.Rows * format.Columns);
        var (center, width) = FileWindow(ds);
        if (format.SamplesPerPixel != 1 || format.PhotometricInterpretation == "PALETTE COLOR")
        {
            return FromColour(file, format, n);
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts");
        }
        var mono1 = format.PhotometricInterpretation == "MONOCHROME1";
        var modality = ModalityLut.For(ds, 0, format);
        var kind = format.BytesPerSample switch
        {
            1 when format.IsSigned => 0,
            1 => 1,
            2 => format.IsSigned ? -2 : 2,
            _ => 0,
        };
        var integer = kind != 0 && modality.Lut is null;
        var bitsStored = Math.Min(format.BitsStored, format.BitsAllocated == 1 ? 1 : format.BytesPerSample * 8);
        // The frame is decoded into a pooled buffer (returned by Dispose): a batch of 2048² images then reuses a few
        // 8 MiB arrays instead of leaving one per image for the collector.
        var frameBytes = format.DecodedFrameBytes;
        if (frameBytes > Math.Min(PixelDataDecoder.DefaultMaxFrameBytes, Array.MaxLength))
        {
            // Too large to rent: the decoder says so with its own message.
            PixelDataDecoder.DecodeFrame(file, ScoredFrame);
        }
        var stored = ArrayPool<byte>.Shared.Rent((int)frameBytes);
        int[]? histogram = null;
        try
        {
            var started = StageTimings.Start();
            PixelDataDecoder.DecodeFrame(ds, file.TransferSyntax, ScoredFrame, stored, normalize: false);
            StageTimings.Add(StageTimings.Stage.ReadPixels, started);
            var data = stored.AsSpan(0, (int)frameBytes);
            if (integer && countHistogram && format.BitsAllocated == (kind == 1 ? 8 : 16) && format.BitsStored <= format.BitsAllocated)
            {
                started = StageTimings.Start();
                histogram = StoredHistogram.MaskAndCount(data, kind, format.BitsStored);
                StageTimings.Add(StageTimings.Stage.Histogram, started);
            }
            else
            {
                started = StageTimings.Start();
                PixelDataDecoder.NormalizeStoredValues(data, format);
                StageTimings.Add(StageTimings.Stage.Decode, started);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(stored);
            throw;
        }
        if (integer)
        {
            return new ModalityImage(format.Rows, format.Columns, mono1, center, width, stored, kind, modality.Slope, modality.Intercept, null,
                bitsStored) { _histogram = histogram };
        }
        try
        {
            return FromStoredValues(format, mono1, center, width, stored, modality, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
    }

    /// <summary>The file's first window (Window Center and Width, both finite, width at least 1), or none.</summary>
    public static (double? Center, double? Width) FileWindow(Dataset ds) =>
        ds.GetDoubles(Tag.WindowCenter) is { Length: > 0 } cs && ds.GetDoubles(Tag.WindowWidth) is { Length: > 0 } ws
            && double.IsFinite(cs[0]) && double.IsFinite(ws[0]) && ws[0] >= 1
            ? (cs[0], ws[0])
            : (null, null);

    private static ModalityImage FromStoredValues(PixelFormat format, bool mono1, double? center, double? width, byte[] stored,
        ModalityLut modality, int n)
    {
        // Rare layouts: float modality values.
        var values = ArrayPool<float>.Shared.Rent(n);
        for (var i = 0; i < n; i++)
        {
            long v = format.BytesPerSample switch
            {
                1 => format.IsSigned ? (sbyte)stored[i] : stored[i],
                2 => format.IsSigned
                    ? BinaryPrimitives.ReadInt16LittleEndian(stored.AsSpan(i * 2))
                    : BinaryPrimitives.ReadUInt16LittleEndian(stored.AsSpan(i * 2)),
                _ => format.IsSigned
                    ? BinaryPrimitives.ReadInt32LittleEndian(stored.AsSpan(i * 4))
                    : BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(i * 4)),
            };
            values[i] = (float)modality.Apply(v);
        }
        return new ModalityImage(format.Rows, format.Columns, mono1, center, width, null, 0, 1, 0, values);
    }

    private static ModalityImage FromColour(DicomFile file, PixelFormat format, int n)
    {
        var rendered = ImageRenderer.Render(file, new RenderOptions { Frame = ScoredFrame });
        var values = ArrayPool<float>.Shared.Rent(n);
        var px = rendered.Pixels;
        var c = rendered.Channels;
        for (var i = 0; i < n; i++)
        {
            values[i] = c == 3 ? 0.299f * px[i * 3] + 0.587f * px[i * 3 + 1] + 0.114f * px[i * 3 + 2] : px[i * c];
        }
        return new ModalityImage(format.Rows, format.Columns, false, null, null, null, 0, 1, 0, values);
    }

    /// <summary>Histogram of stored values, counted while decoding when the caller said it would be needed, otherwise
    /// built on first use (only percentile and min/max intensity need it).</summary>
    private int[] Histogram()
    {
        lock (_gate)
        {
            if (_histogram is not null)
            {
                return _histogram;
            }
            var started = StageTimings.Start();
            var (length, offset) = StoredRange;
            var h = StoredKind switch
            {
                1 => StoredHistogram.Count(StoredU8, length),
                2 => StoredHistogram.Count(StoredU16, length),
                _ => StoredHistogram.Count(StoredS16, length, offset),
            };
            StageTimings.Add(StageTimings.Stage.Histogram, started);
            return _histogram = h;
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
        if (StoredKind != 0)
        {
            // Sorted modality values are the sorted stored values through the linear rescale; a negative slope
            // reverses the order.
            var h = Histogram();
            var (ka, kb) = Slope >= 0 ? (lo, hi) : (n - 1 - lo, n - 1 - hi);
            a = KthStored(h, ka) * Slope + Intercept;
            b = KthStored(h, kb) * Slope + Intercept;
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

    public double Min() => Percentile(0);

    public double Max() => Percentile(100);

    private int KthStored(int[] h, long k)
    {
        var (length, offset) = StoredRange;
        long seen = 0;
        for (var v = 0; v < length; v++)
        {
            seen += h[v];
            if (seen > k)
            {
                return v - offset;
            }
        }
        throw new InvalidOperationException("histogram shorter than the image");
    }

    private float[] SortedValues()
    {
        lock (_gate)
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
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_values is not null)
            {
                ArrayPool<float>.Shared.Return(_values);
                _values = null;
            }
            if (_stored is not null)
            {
                ArrayPool<byte>.Shared.Return(_stored);
                _stored = null;
            }
            if (_sorted is not null)
            {
                ArrayPool<float>.Shared.Return(_sorted);
                _sorted = null;
            }
            if (_histogram is not null)
            {
                ArrayPool<int>.Shared.Return(_histogram);
                _histogram = null;
            }
        }
    }
}
