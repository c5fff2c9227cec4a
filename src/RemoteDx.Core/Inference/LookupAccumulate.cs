using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RemoteDx.Core.Inference;

/// <summary>The inner loop of the table-driven row resize, fused: acc[i] = lut[stored[i]]·w (first source row of an
/// output row) or acc[i] += lut[stored[i]]·w (the others), eight pixels per AVX2 gather. Same products and sums as
/// the two-step lookup-then-multiply-add, without a row of floats in between. Callers check
/// <see cref="Avx2.IsSupported"/>; stored values are already masked to the table's range by the decoder.</summary>
internal static class LookupAccumulate
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Unsigned(ReadOnlySpan<ushort> src, float[] lut, float weight, Span<float> acc, bool first)
    {
        var n = src.Length;
        var i = 0;
        var w = Vector256.Create(weight);
        fixed (ushort* s = src)
        fixed (float* table = lut)
        fixed (float* a = acc)
        {
            for (; i + 8 <= n; i += 8)
            {
                var index = Avx2.ConvertToVector256Int32(Sse2.LoadVector128(s + i));
                Store(table, index, w, a + i, first);
            }
        }
        for (; i < n; i++)
        {
            acc[i] = first ? lut[src[i]] * weight : MathF.FusedMultiplyAdd(lut[src[i]], weight, acc[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Signed(ReadOnlySpan<short> src, float[] lut, int offset, float weight, Span<float> acc, bool first)
    {
        var n = src.Length;
        var i = 0;
        var w = Vector256.Create(weight);
        var o = Vector256.Create(offset);
        fixed (short* s = src)
        fixed (float* table = lut)
        fixed (float* a = acc)
        {
            for (; i + 8 <= n; i += 8)
            {
                var index = Avx2.Add(Avx2.ConvertToVector256Int32(Sse2.LoadVector128(s + i)), o);
                Store(table, index, w, a + i, first);
            }
        }
        for (; i < n; i++)
        {
            acc[i] = first ? lut[src[i] + offset] * weight : MathF.FusedMultiplyAdd(lut[src[i] + offset], weight, acc[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Bytes(ReadOnlySpan<byte> src, float[] lut, float weight, Span<float> acc, bool first)
    {
        var n = src.Length;
        var i = 0;
        var w = Vector256.Create(weight);
        fixed (byte* s = src)
        fixed (float* table = lut)
        fixed (float* a = acc)
        {
            for (; i + 8 <= n; i += 8)
            {
                var index = Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(s + i)).AsByte());
                Store(table, index, w, a + i, first);
            }
        }
        for (; i < n; i++)
        {
            acc[i] = first ? lut[src[i]] * weight : MathF.FusedMultiplyAdd(lut[src[i]], weight, acc[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* table, Vector256<int> index, Vector256<float> w, float* a, bool first)
    {
        var v = Avx2.GatherVector256(table, index, 4);
        var r = first ? v * w : Vector256.MultiplyAddEstimate(v, w, Vector256.Load(a));
        r.Store(a);
    }
}
