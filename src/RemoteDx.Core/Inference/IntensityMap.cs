using System.Numerics.Tensors;

namespace RemoteDx.Core.Inference;

/// <summary>Modality value → [0, 1]: y = clip(a·x + b) (or a threshold), then 1 − y for MONOCHROME1.</summary>
internal readonly record struct IntensityMap(int Kind, double A, double B, bool Invert)
{
    private const int LinearKind = 0;
    private const int ThresholdKind = 1;
    private const int ConstantKind = 2;

    public static IntensityMap Linear(double a, double b, bool invert) => new(LinearKind, a, b, invert);

    /// <summary>0 at or below <paramref name="t"/>, 1 above.</summary>
    public static IntensityMap Threshold(double t, bool invert) => new(ThresholdKind, t, 0, invert);

    public static IntensityMap Constant(double value, bool invert) => new(ConstantKind, 0, value, invert);

    public float Apply(double x)
    {
        var y = Kind switch
        {
            LinearKind => Math.Clamp(A * x + B, 0, 1),
            ThresholdKind => x <= A ? 0 : 1,
            _ => B,
        };
        return (float)(Invert ? 1 - y : y);
    }

    public void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        switch (Kind)
        {
            case LinearKind:
                Affine.Apply(x, (float)A, (float)B, y);
                TensorPrimitives.Max(y, 0f, y);
                TensorPrimitives.Min(y, 1f, y);
                break;
            case ThresholdKind:
                for (var i = 0; i < x.Length; i++)
                {
                    y[i] = x[i] <= A ? 0f : 1f;
                }
                break;
            default:
                y.Fill((float)B);
                break;
        }
        if (Invert)
        {
            Affine.Apply(y, -1f, 1f, y);
        }
    }
}
