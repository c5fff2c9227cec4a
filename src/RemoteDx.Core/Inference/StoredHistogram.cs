using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RemoteDx.Core.Inference;

/// <summary>Histograms of integer stored values for <see cref="ModalityImage"/>'s percentiles: counts in the first
/// <c>length</c> entries of an array rented from <see cref="ArrayPool{T}.Shared"/> (4·length long; the caller returns
/// it). Four interleaved tables are counted and summed at the end: runs of equal neighbouring values would otherwise
/// wait on one counter.</summary>
internal static class StoredHistogram
{
    /// <summary>Masks (unsigned) or sign-extends (signed) the stored values of a frame decoded without normalisation
    /// to Bits Stored, exactly as <c>PixelDataDecoder.NormalizeStoredValues</c> does, and counts them in the same pass.
    /// <paramref name="kind"/> is <see cref="ModalityImage"/>'s layout (1 uint8, 2 uint16, -2 int16); Bits Allocated
    /// is 8 for kind 1 and 16 otherwise; <paramref name="bitsStored"/> is at most that.</summary>
    public static int[] MaskAndCount(Span<byte> data, int kind, int bitsStored)
    {
        var length = 1 << bitsStored;
        switch (kind)
        {
            case 1:
                return bitsStored >= 8 ? Count(data, length) : MaskAndCount(data, (byte)(length - 1), length);
            case 2:
                var u16 = MemoryMarshal.Cast<byte, ushort>(data);
                return bitsStored >= 16 ? Count(u16, length) : MaskAndCount(u16, (ushort)(length - 1), length);
            default:
                var s16 = MemoryMarshal.Cast<byte, short>(data);
                var offset = length / 2;
                return bitsStored >= 16 ? Count(s16, length, offset) : SignExtendAndCount(s16, 16 - bitsStored, length, offset);
        }
    }

    public static int[] Count(ReadOnlySpan<byte> s, int length) => Finish(CountInto(s, Rent(length), length), length);

    public static int[] Count(ReadOnlySpan<ushort> s, int length) => Finish(CountInto(s, Rent(length), length), length);

    public static int[] Count(ReadOnlySpan<short> s, int length, int offset) => Finish(CountInto(s, Rent(length), length, offset), length);

    private static int[] Rent(int length)
    {
        var h = ArrayPool<int>.Shared.Rent(4 * length);
        Array.Clear(h, 0, 4 * length);
        return h;
    }

    private static int[] Finish(int[] h, int length)
    {
        for (var v = 0; v < length; v++)
        {
            h[v] += h[length + v] + h[2 * length + v] + h[3 * length + v];
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] CountInto(ReadOnlySpan<byte> s, int[] h, int length)
    {
        var i = 0;
        for (; i + 3 < s.Length; i += 4)
        {
            h[s[i]]++;
            h[length + s[i + 1]]++;
            h[2 * length + s[i + 2]]++;
            h[3 * length + s[i + 3]]++;
        }
        for (; i < s.Length; i++)
        {
            h[s[i]]++;
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] CountInto(ReadOnlySpan<ushort> s, int[] h, int length)
    {
        var i = 0;
        for (; i + 3 < s.Length; i += 4)
        {
            h[s[i]]++;
            h[length + s[i + 1]]++;
            h[2 * length + s[i + 2]]++;
            h[3 * length + s[i + 3]]++;
        }
        for (; i < s.Length; i++)
        {
            h[s[i]]++;
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] CountInto(ReadOnlySpan<short> s, int[] h, int length, int offset)
    {
        var i = 0;
        for (; i + 3 < s.Length; i += 4)
        {
            h[s[i] + offset]++;
            h[length + s[i + 1] + offset]++;
            h[2 * length + s[i + 2] + offset]++;
            h[3 * length + s[i + 3] + offset]++;
        }
        for (; i < s.Length; i++)
        {
            h[s[i] + offset]++;
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] MaskAndCount(Span<byte> s, byte mask, int length)
    {
        var h = Rent(length);
        var i = 0;
        for (; i + 3 < s.Length; i += 4)
        {
            var a = (byte)(s[i] & mask);
            var b = (byte)(s[i + 1] & mask);
            var c = (byte)(s[i + 2] & mask);
            var d = (byte)(s[i + 3] & mask);
            s[i] = a;
            s[i + 1] = b;
            s[i + 2] = c;
            s[i + 3] = d;
            h[a]++;
            h[length + b]++;
            h[2 * length + c]++;
            h[3 * length + d]++;
        }
        for (; i < s.Length; i++)
        {
            var a = (byte)(s[i] & mask);
            s[i] = a;
            h[a]++;
        }
        return Finish(h, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] MaskAndCount(Span<ushort> s, ushort mask, int length)
    {
        var h = Rent(length);
        var i = 0;
        for (; i + 3 < s.Length; i += 4)
        {
            var a = (ushort)(s[i] & mask);
            var b = (ushort)(s[i + 1] & mask);
            var c = (ushort)(s[i + 2] & mask);
            var d = (ushort)(s[i + 3] & mask);
            s[i] = a;
            s[i + 1] = b;
            s[i + 2] = c;
            s[i + 3] = d;
            h[a]++;
            h[length + b]++;
            h[2 * length + c]++;
            h[3 * length + d]++;
        }
        for (; i < s.Length; i++)
        {
            var a = (ushort)(s[i] & mask);
            s[i] = a;
            h[a]++;
        }
        return Finish(h, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] SignExtendAndCount(Span<short> s, int shift, int length, int offset)
    {
        var h = Rent(length);
        var i = 0;
        for (; i + 3 < s.Length; i += 4)
        {
            var a = (short)((short)(s[i] << shift) >> shift);
            var b = (short)((short)(s[i + 1] << shift) >> shift);
            var c = (short)((short)(s[i + 2] << shift) >> shift);
            var d = (short)((short)(s[i + 3] << shift) >> shift);
            s[i] = a;
            s[i + 1] = b;
            s[i + 2] = c;
            s[i + 3] = d;
            h[a + offset]++;
            h[length + b + offset]++;
            h[2 * length + c + offset]++;
            h[3 * length + d + offset]++;
        }
        for (; i < s.Length; i++)
        {
            var a = (short)((short)(s[i] << shift) >> shift);
            s[i] = a;
            h[a + offset]++;
        }
        return Finish(h, length);
    }
}
