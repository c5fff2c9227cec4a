using System.Runtime.InteropServices;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>The fused inner loops of batch scoring against the plain steps they replace: masking to Bits Stored counted
/// in the same pass equals the decoder's own masking followed by a count, and the gathered lookup-and-accumulate equals
/// a lookup followed by a multiply-add. Random stored values with garbage in the unused high bits.</summary>
public sealed class FusedPassTests
{
    public static TheoryData<int, int, bool> Layouts => new()
    {
        { 8, 6, false },
        { 8, 8, false },
        { 16, 12, false },
        { 16, 16, false },
        { 16, 12, true },
        { 16, 10, true },
        { 16, 16, true },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Masking_fused_with_the_count_equals_the_decoders_masking_then_a_count(int bitsAllocated, int bitsStored, bool signed)
    {
        var rng = new Random(bitsAllocated * 100 + bitsStored + (signed ? 7 : 0));
        const int pixels = 10_003; // not a multiple of the unrolling
        var bytes = new byte[pixels * bitsAllocated / 8];
        rng.NextBytes(bytes);
        var original = bytes.ToArray();
        var expected = bytes.ToArray();
        var format = new PixelFormat(Rows: 1, Columns: pixels, SamplesPerPixel: 1, BitsAllocated: bitsAllocated, BitsStored: bitsStored,
            HighBit: bitsStored - 1, PixelRepresentation: signed ? 1 : 0, PlanarConfiguration: 0, NumberOfFrames: 1,
            PhotometricInterpretation: "MONOCHROME2");
        PixelDataDecoder.NormalizeStoredValues(expected, format);

        var kind = bitsAllocated == 8 ? 1 : signed ? -2 : 2;
        var counts = StoredHistogram.MaskAndCount(bytes, kind, bitsStored);

        Assert.Equal(expected, bytes);
        var length = 1 << bitsStored;
        var offset = signed ? length / 2 : 0;
        var naive = new int[length];
        for (var i = 0; i < pixels; i++)
        {
            naive[(kind switch
            {
                1 => expected[i],
                2 => MemoryMarshal.Cast<byte, ushort>(expected)[i],
                _ => MemoryMarshal.Cast<byte, short>(expected)[i],
            }) + offset]++;
        }
        Assert.Equal(naive, counts.AsSpan(0, length).ToArray());
        Assert.Equal(pixels, naive.Sum());
        // Garbage was there to mask: the test would prove nothing on clean input.
        if (bitsStored < bitsAllocated)
        {
            Assert.NotEqual(original, expected);
        }
    }

    [Fact]
    public void The_gathered_lookup_and_accumulate_equals_a_lookup_then_a_multiply_add()
    {
        // With AVX2 this checks the gathered path, without it the scalar loop scoring falls back to.
        var rng = new Random(11);
        const int n = 2051; // a tail after the last full vector
        var lut = new float[4096];
        for (var i = 0; i < lut.Length; i++)
        {
            lut[i] = (float)rng.NextDouble();
        }
        var u16 = new ushort[n];
        var s16 = new short[n];
        var u8 = new byte[n];
        for (var i = 0; i < n; i++)
        {
            u16[i] = (ushort)rng.Next(4096);
            s16[i] = (short)rng.Next(-2048, 2048);
            u8[i] = (byte)rng.Next(256);
        }
        const float w0 = 0.375f, w1 = 0.625f;
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        LookupAccumulate.Unsigned(u16, lut, w0, a, first: true);
        LookupAccumulate.Unsigned(u16.Reverse().ToArray(), lut, w1, a, first: false);
        LookupAccumulate.Signed(s16, lut, 2048, w0, b, first: true);
        LookupAccumulate.Signed(s16.Reverse().ToArray(), lut, 2048, w1, b, first: false);
        LookupAccumulate.Bytes(u8, lut, w0, c, first: true);
        LookupAccumulate.Bytes(u8.Reverse().ToArray(), lut, w1, c, first: false);
        for (var i = 0; i < n; i++)
        {
            var j = n - 1 - i;
            AssertClose(lut[u16[j]] * w1 + lut[u16[i]] * w0, a[i], i);
            AssertClose(lut[s16[j] + 2048] * w1 + lut[s16[i] + 2048] * w0, b[i], i);
            AssertClose(lut[u8[j]] * w1 + lut[u8[i]] * w0, c[i], i);
        }
    }

    /// <summary>Within one rounding: a fused multiply-add may round once where a plain one rounds twice.</summary>
    private static void AssertClose(float expected, float actual, int at) =>
        Assert.True(Math.Abs(expected - actual) <= 2e-7f * Math.Max(1f, Math.Abs(expected)), $"at {at}: expected {expected}, got {actual}");
}
