using System.Buffers;
using System.Numerics.Tensors;

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
        var n = rows * cols;
        var (top, left, h, w) = Placement(rows, cols);
        var work = ArrayPool<float>.Shared.Rent(n);
        var temp = ArrayPool<float>.Shared.Rent(h * cols);
        try
        {
            var x = work.AsSpan(0, n);
            Intensity(image, x);
            var plane = dest[..(_height * _width)];
            plane.Clear();
            ResizeInto(x, rows, cols, temp.AsSpan(0, h * cols), plane, top, left, h, w);
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
        }
        finally
        {
            ArrayPool<float>.Shared.Return(work);
            ArrayPool<float>.Shared.Return(temp);
        }
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

    private void Intensity(ModalityImage image, Span<float> x)
    {
        var spec = _p.Intensity;
        var mode = spec.Mode;
        double lo = 0, hi = 0;
        if (mode == "window")
        {
            // The manifest's window overrides the file's only as a pair.
            var (c, w) = spec.Center is not null && spec.Width is not null
                ? (spec.Center, spec.Width)
                : (image.WindowCenter, image.WindowWidth);
            if (c is { } center && w is { } width && width >= 1)
            {
                Window(image.Values, x, center, width);
                Invert(x);
                return;
            }
            mode = "percentile";
        }
        if (mode == "percentile")
        {
            lo = image.Percentile(spec.Low);
            hi = image.Percentile(spec.High);
        }
        else
        {
            lo = image.Min();
            hi = image.Max();
        }
        if (hi <= lo)
        {
            x.Clear();
        }
        else
        {
            var scale = 1 / (hi - lo);
            Affine.Apply(image.Values, (float)scale, (float)(-lo * scale), x);
            Clip(x);
        }
        Invert(x);

        void Invert(Span<float> v)
        {
            if (_p.InvertMonochrome1 && image.Monochrome1)
            {
                Affine.Apply(v, -1f, 1f, v);
            }
        }
    }

    /// <summary>PS3.3 C.11.2.1.2.1 LINEAR window onto [0, 1].</summary>
    private static void Window(ReadOnlySpan<float> values, Span<float> x, double c, double w)
    {
        if (w == 1)
        {
            var threshold = (float)(c - 0.5);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = values[i] <= threshold ? 0f : 1f;
            }
            return;
        }
        var scale = 1 / (w - 1);
        Affine.Apply(values, (float)scale, (float)(0.5 - (c - 0.5) * scale), x);
        Clip(x);
    }

    private static void Clip(Span<float> x)
    {
        TensorPrimitives.Max(x, 0f, x);
        TensorPrimitives.Min(x, 1f, x);
    }

    /// <summary>Separable resize: rows first (whole source rows combined, vectorised), then columns.</summary>
    private void ResizeInto(ReadOnlySpan<float> src, int rows, int cols, Span<float> temp, Span<float> plane,
        int top, int left, int h, int w)
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
