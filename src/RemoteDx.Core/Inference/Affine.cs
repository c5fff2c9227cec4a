using System.Numerics.Tensors;

namespace RemoteDx.Core.Inference;

/// <summary>d = x · a + b over spans, vectorised.</summary>
internal static class Affine
{
    public static void Apply(ReadOnlySpan<float> x, float a, float b, Span<float> d)
    {
        TensorPrimitives.Multiply(x, a, d);
        if (b != 0)
        {
            TensorPrimitives.Add(d, b, d);
        }
    }
}
