using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;

namespace RemoteDx.Core.Inference;

/// <summary>One model's preprocessing (docs/models.md): intensity to [0, 1], MONOCHROME1 inversion, resize
/// (letterbox or stretch; area or bilinear), normalisation, channel replication, into an NCHW slot. Stateless apart
/// from cached resize weights, so callers on any thread share one instance. tools/train/preprocess_ref.py is the
/// numpy twin the tests compare with.</summary>
public sealed class ImagePreprocessor
{
    private readonly ManifestPreprocessing _p;
    private readonly int _channels;
    private readonly int _height;
    private readonly int _width;
    private readonly bool _area;

    public ImagePreprocessor(ModelManifest manifest)
    {
        _p = manifest.Preprocessing;
        _channels = manifest.Input.Channels;
        _height = manifest.Input.Height;
        _width = manifest.Input.Width;
        _area = _p.Resize.Interpolation == "area";
    }

    public int InputLength => _channels * _height * _width;

    /// <summary>Writes the model input for <paramref name="image"/> into <paramref name="dest"/> (length
    /// <see cref="InputLength"/>) and says where the image sits inside it.</summary>
    public InputPlacement Prepare(ModalityImage image, Span<float> dest)
    {
        if (dest.Length < InputLength)
        {
            throw new ArgumentException("destination shorter than the model input", nameof(dest));
        }
        var rows = image.Rows;
        var cols = image.Columns;
        var (top, left, h, w) = Placement(rows, cols);
        var map = MapFor(image);
        var started = StageTimings.Start();
        var temp = ArrayPool<float>.Shared.Rent(h * cols);
        var plane = dest[..(_height * _width)];
        plane.Clear();
        try
        {
            if (image.StoredKind != 0)
            {
                // Every possible stored value goes through modality, intensity, clip and inversion once; the resize
                // then reads the table. No full-size float copy of the image is made.
                var (length, offset) = image.StoredRange;
                var lut = ArrayPool<float>.Shared.Rent(length);
                var row = ArrayPool<float>.Shared.Rent(cols);
                try
                {
                    for (var v = 0; v < length; v++)
                    {
                        lut[v] = map.Apply((v - offset) * image.Slope + image.Intercept);
                    }
                    ResizeRowsFromTable(image, lut, offset, row.AsSpan(0, cols), temp.AsSpan(0, h * cols), h);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(lut);
                    ArrayPool<float>.Shared.Return(row);
                }
            }
            else
            {
                var n = rows * cols;
                var work = ArrayPool<float>.Shared.Rent(n);
                try
                {
                    map.Apply(image.Values, work.AsSpan(0, n));
                    ResizeRows(work.AsSpan(0, n), rows, cols, temp.AsSpan(0, h * cols), h);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(work);
                }
            }
            ResizeColumns(temp.AsSpan(0, h * cols), cols, plane, top, left, h, w);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(temp);
        }
        var mean = (float)_p.Normalize.Mean;
        var inv = (float)(1 / _p.Normalize.Std);
        if (mean != 0 || inv != 1)
        {
            Affine.Apply(plane, inv, -mean * inv, plane);
        }
        for (var c = 1; c < _channels; c++)
        {
            plane.CopyTo(dest.Slice(c * plane.Length, plane.Length));
        }
        StageTimings.Add(StageTimings.Stage.Preprocess, started);
        return new InputPlacement((float)left / _width, (float)top / _height, (float)w / _width, (float)h / _height);
    }

    /// <summary>(top, left, height, width) of the image inside the model input.</summary>
    public (int Top, int Left, int Height, int Width) Placement(int rows, int cols)
    {
        if (_p.Resize.Mode == "stretch")
        {
            return (0, 0, _height, _width);
        }
        var scale = Math.Min((double)_height / rows, (double)_width / cols);
        var h = Math.Clamp((int)Math.Round(rows * scale, MidpointRounding.ToEven), 1, _height);
        var w = Math.Clamp((int)Math.Round(cols * scale, MidpointRounding.ToEven), 1, _width);
        return ((_height - h) / 2, (_width - w) / 2, h, w);
    }

    /// <summary>Whether this model's intensity step reads the image's histogram (percentile or min/max, or window
    /// mode without a window), given the file's own window (<see cref="ModalityImage.FileWindow"/>).</summary>
    public bool NeedsHistogram(double? fileCenter, double? fileWidth) => Window(fileCenter, fileWidth) is null;

    /// <summary>The window the intensity step applies, in window mode: the manifest's, which overrides the file's
    /// only as a pair; none outside window mode or when neither has a usable one.</summary>
    private (double Center, double Width)? Window(double? fileCenter, double? fileWidth)
    {
        var spec = _p.Intensity;
        if (spec.Mode != "window")
        {
            return null;
        }
        var (c, w) = spec.Center is not null && spec.Width is not null ? (spec.Center, spec.Width) : (fileCenter, fileWidth);
        return c is { } center && w is { } width && width >= 1 ? (center, width) : null;
    }

    /// <summary>The manifest's intensity step for this image: modality value → [0, 1], then MONOCHROME1 inversion.</summary>
    private IntensityMap MapFor(ModalityImage image)
    {
        var spec = _p.Intensity;
        var invert = _p.InvertMonochrome1 && image.Monochrome1;
        if (Window(image.WindowCenter, image.WindowWidth) is var (center, width))
        {
            // PS3.3 C.11.2.1.2.1 LINEAR onto [0, 1]; a width of 1 is a threshold.
            return width == 1
                ? IntensityMap.Threshold(center - 0.5, invert)
                : IntensityMap.Linear(1 / (width - 1), 0.5 - (center - 0.5) / (width - 1), invert);
        }
        // Window mode without a window falls back to percentiles.
        var (lo, hi) = spec.Mode is "percentile" or "window"
            ? (image.Percentile(spec.Low), image.Percentile(spec.High))
            : (image.Min(), image.Max());
        return hi <= lo ? IntensityMap.Constant(0, invert) : IntensityMap.Linear(1 / (hi - lo), -lo / (hi - lo), invert);
    }

    /// <summary>Rows first (whole source rows combined, vectorised), then columns: the separable resize.</summary>
    private void ResizeRows(ReadOnlySpan<float> src, int rows, int cols, Span<float> temp, int h)
    {
        var ry = ResizeWeights.For(rows, h, _area);
        for (var o = 0; o < h; o++)
        {
            var acc = temp.Slice(o * cols, cols);
            var off = ry.Offset[o];
            var s0 = ry.Start[o];
            TensorPrimitives.Multiply(src.Slice(s0 * cols, cols), ry.Weights[off], acc);
            for (var k = 1; k < ry.Count[o]; k++)
            {
                TensorPrimitives.MultiplyAdd(src.Slice((s0 + k) * cols, cols), ry.Weights[off + k], acc, acc);
            }
        }
    }

    private void ResizeRowsFromTable(ModalityImage image, float[] lut, int offset, Span<float> row, Span<float> temp, int h)
    {
        var cols = image.Columns;
        var ry = ResizeWeights.For(image.Rows, h, _area);
        var gather = Avx2.IsSupported;
        for (var o = 0; o < h; o++)
        {
            var acc = temp.Slice(o * cols, cols);
            var off = ry.Offset[o];
            var s0 = ry.Start[o];
            for (var k = 0; k < ry.Count[o]; k++)
            {
                var r = (s0 + k) * cols;
                var weight = ry.Weights[off + k];
                if (gather)
                {
                    // One pass per source row: look up and accumulate 8 pixels at a time, no row of floats between.
                    switch (image.StoredKind)
                    {
                        case 1:
                            LookupAccumulate.Bytes(image.StoredU8.Slice(r, cols), lut, weight, acc, k == 0);
                            break;
                        case 2:
                            LookupAccumulate.Unsigned(image.StoredU16.Slice(r, cols), lut, weight, acc, k == 0);
                            break;
                        default:
                            LookupAccumulate.Signed(image.StoredS16.Slice(r, cols), lut, offset, weight, acc, k == 0);
                            break;
                    }
                    continue;
                }
                switch (image.StoredKind)
                {
                    case 1:
                        Lookup(image.StoredU8.Slice(r, cols), lut, row);
                        break;
                    case 2:
                        Lookup(image.StoredU16.Slice(r, cols), lut, row);
                        break;
                    default:
                        Lookup(image.StoredS16.Slice(r, cols), lut, offset, row);
                        break;
                }
                if (k == 0)
                {
                    TensorPrimitives.Multiply(row, weight, acc);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(row, weight, acc, acc);
                }
            }
        }
    }

    private static void Lookup(ReadOnlySpan<byte> src, float[] lut, Span<float> dst)
    {
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = lut[src[i]];
        }
    }

    private static void Lookup(ReadOnlySpan<ushort> src, float[] lut, Span<float> dst)
    {
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = lut[src[i]];
        }
    }

    private static void Lookup(ReadOnlySpan<short> src, float[] lut, int offset, Span<float> dst)
    {
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = lut[src[i] + offset];
        }
    }

    private void ResizeColumns(ReadOnlySpan<float> temp, int cols, Span<float> plane, int top, int left, int h, int w)
    {
        var rx = ResizeWeights.For(cols, w, _area);
        var starts = rx.Start;
        var counts = rx.Count;
        var offsets = rx.Offset;
        var weights = rx.Weights;
        for (var o = 0; o < h; o++)
        {
            var line = temp.Slice(o * cols, cols);
            var outRow = plane.Slice((top + o) * _width + left, w);
            for (var j = 0; j < w; j++)
            {
                var s = starts[j];
                var off = offsets[j];
                var sum = 0f;
                for (var k = 0; k < counts[j]; k++)
                {
                    sum += line[s + k] * weights[off + k];
                }
                outRow[j] = sum;
            }
        }
    }
}
