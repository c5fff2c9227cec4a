namespace RemoteDx.Dicom.Codecs;

/// <summary>Dequantisation (ISO/IEC 10918-1 A.3.4, F.2.1.4) and the 8x8 inverse DCT (A.3.3) computed exactly as IJG
/// libjpeg 6b's default JDCT_ISLOW method (jidctint.c), which DCMTK's dcmdjpeg uses: the Loeffler-Ligtenberg-Moschytz
/// factorisation in fixed point with CONST_BITS = 13 and PASS1_BITS = 2 (8-bit) or 1 (12-bit), columns first, with
/// libjpeg's rounding (DESCALE) and its range-limit table. libjpeg's INT32 is a C long, 64 bits on the platforms
/// DCMTK ships for, so the arithmetic here is 64-bit too: 12-bit data needs more than 32 bits in the second pass.</summary>
internal static unsafe class JpegIdct
{
    private const int ConstBits = 13;

    // jidctint.c's FIX(x) = round(x * 2^13).
    private const long Fix0298631336 = 2446;
    private const long Fix0390180644 = 3196;
    private const long Fix0541196100 = 4433;
    private const long Fix0765366865 = 6270;
    private const long Fix0899976223 = 7373;
    private const long Fix1175875602 = 9633;
    private const long Fix1501321110 = 12299;
    private const long Fix1847759065 = 15137;
    private const long Fix1961570560 = 16069;
    private const long Fix2053119869 = 16819;
    private const long Fix2562915447 = 20995;
    private const long Fix3072711026 = 25172;

    /// <summary>Zig-zag index to natural (row-major) index, Figure A.6, followed by 16 entries of 63 so a corrupt
    /// run length (F.2.2.2) cannot index past the block, as in libjpeg's jpeg_natural_order.</summary>
    public static ReadOnlySpan<byte> NaturalOrder =>
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    ];

    /// <summary>Inverse-transforms one block of quantised coefficients (natural order) into 8x8 samples at
    /// <paramref name="output"/> (row pitch <paramref name="stride"/>), level-shifted and clamped (A.3.1).</summary>
    /// <param name="precision">Sample precision P, 8 or 12.</param>
    public static void Transform(int* coef, int* quant, int* workspace, ushort* output, int stride, int precision)
    {
        if (precision == 8)
        {
            Transform8(coef, quant, workspace, output, stride);
        }
        else
        {
            Transform12(coef, quant, workspace, output, stride);
        }
    }

    // One copy per precision, so that the shifts and limits below are constants.
    private static void Transform8(int* coef, int* quant, int* workspace, ushort* output, int stride) =>
        Core(coef, quant, workspace, output, stride, 8);

    private static void Transform12(int* coef, int* quant, int* workspace, ushort* output, int stride) =>
        Core(coef, quant, workspace, output, stride, 12);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Core(int* coef, int* quant, int* workspace, ushort* output, int stride, int precision)
    {
        // jidctint.c: PASS1_BITS is 2 for 8-bit samples, 1 otherwise "to avoid overflow".
        var pass1Bits = precision == 8 ? 2 : 1;
        // jdmaster.c prepare_range_limit_table: the IDCT output is masked with RANGE_MASK = 4 * 2^P - 1 and looked
        // up in a table that maps the masked value, read as a signed (P + 2)-bit number, to clamp(x + 2^(P-1)).
        var maskShift = 32 - (precision + 2);
        var center = 1 << (precision - 1);
        var max = (1 << precision) - 1;

        // Pass 1: columns, results scaled up by sqrt(8) and 2^PASS1_BITS.
        var shift1 = ConstBits - pass1Bits;
        var round1 = 1L << (shift1 - 1);
        for (var c = 0; c < 8; c++)
        {
            var inp = coef + c;
            var q = quant + c;
            var ws = workspace + c;
            if ((inp[8] | inp[16] | inp[24] | inp[32] | inp[40] | inp[48] | inp[56]) == 0)
            {
                // All AC terms zero: the column is constant.
                var dc = (int)((long)inp[0] * q[0] << pass1Bits);
                ws[0] = dc;
                ws[8] = dc;
                ws[16] = dc;
                ws[24] = dc;
                ws[32] = dc;
                ws[40] = dc;
                ws[48] = dc;
                ws[56] = dc;
                continue;
            }

            // Even part: the rotator is sqrt(2) * c(-6).
            long z2 = (long)inp[16] * q[16];
            long z3 = (long)inp[48] * q[48];
            var z1 = (z2 + z3) * Fix0541196100;
            var tmp2 = z1 + z3 * -Fix1847759065;
            var tmp3 = z1 + z2 * Fix0765366865;
            z2 = (long)inp[0] * q[0];
            z3 = (long)inp[32] * q[32];
            var tmp0 = (z2 + z3) << ConstBits;
            var tmp1 = (z2 - z3) << ConstBits;
            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            // Odd part.
            tmp0 = (long)inp[56] * q[56];
            tmp1 = (long)inp[40] * q[40];
            tmp2 = (long)inp[24] * q[24];
            tmp3 = (long)inp[8] * q[8];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            ws[0] = (int)((tmp10 + tmp3 + round1) >> shift1);
            ws[56] = (int)((tmp10 - tmp3 + round1) >> shift1);
            ws[8] = (int)((tmp11 + tmp2 + round1) >> shift1);
            ws[48] = (int)((tmp11 - tmp2 + round1) >> shift1);
            ws[16] = (int)((tmp12 + tmp1 + round1) >> shift1);
            ws[40] = (int)((tmp12 - tmp1 + round1) >> shift1);
            ws[24] = (int)((tmp13 + tmp0 + round1) >> shift1);
            ws[32] = (int)((tmp13 - tmp0 + round1) >> shift1);
        }

        // Pass 2: rows; descale by 8 = 2^3 and undo PASS1_BITS.
        var shift2 = ConstBits + pass1Bits + 3;
        var round2 = 1L << (shift2 - 1);
        var shiftDc = pass1Bits + 3;
        var roundDc = 1L << (shiftDc - 1);
        for (var r = 0; r < 8; r++)
        {
            var ws = workspace + r * 8;
            var outp = output + r * stride;
            if ((ws[1] | ws[2] | ws[3] | ws[4] | ws[5] | ws[6] | ws[7]) == 0)
            {
                var v = (ushort)Limit((int)((ws[0] + roundDc) >> shiftDc), maskShift, center, max);
                outp[0] = v;
                outp[1] = v;
                outp[2] = v;
                outp[3] = v;
                outp[4] = v;
                outp[5] = v;
                outp[6] = v;
                outp[7] = v;
                continue;
            }

            long z2 = ws[2];
            long z3 = ws[6];
            var z1 = (z2 + z3) * Fix0541196100;
            var tmp2 = z1 + z3 * -Fix1847759065;
            var tmp3 = z1 + z2 * Fix0765366865;
            var tmp0 = ((long)ws[0] + ws[4]) << ConstBits;
            var tmp1 = ((long)ws[0] - ws[4]) << ConstBits;
            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            tmp0 = ws[7];
            tmp1 = ws[5];
            tmp2 = ws[3];
            tmp3 = ws[1];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            outp[0] = (ushort)Limit((int)((tmp10 + tmp3 + round2) >> shift2), maskShift, center, max);
            outp[7] = (ushort)Limit((int)((tmp10 - tmp3 + round2) >> shift2), maskShift, center, max);
            outp[1] = (ushort)Limit((int)((tmp11 + tmp2 + round2) >> shift2), maskShift, center, max);
            outp[6] = (ushort)Limit((int)((tmp11 - tmp2 + round2) >> shift2), maskShift, center, max);
            outp[2] = (ushort)Limit((int)((tmp12 + tmp1 + round2) >> shift2), maskShift, center, max);
            outp[5] = (ushort)Limit((int)((tmp12 - tmp1 + round2) >> shift2), maskShift, center, max);
            outp[3] = (ushort)Limit((int)((tmp13 + tmp0 + round2) >> shift2), maskShift, center, max);
            outp[4] = (ushort)Limit((int)((tmp13 - tmp0 + round2) >> shift2), maskShift, center, max);
        }
    }

    /// <summary>jidctint.c's odd part (its figure 8): inputs y7, y5, y3, y1 in tmp0..tmp3, outputs in place.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Odd(ref long tmp0, ref long tmp1, ref long tmp2, ref long tmp3)
    {
        var z1 = tmp0 + tmp3;
        var z2 = tmp1 + tmp2;
        var z3 = tmp0 + tmp2;
        var z4 = tmp1 + tmp3;
        var z5 = (z3 + z4) * Fix1175875602;   // sqrt(2) * c3
        tmp0 *= Fix0298631336;                // sqrt(2) * (-c1+c3+c5-c7)
        tmp1 *= Fix2053119869;                // sqrt(2) * ( c1+c3-c5+c7)
        tmp2 *= Fix3072711026;                // sqrt(2) * ( c1+c3+c5-c7)
        tmp3 *= Fix1501321110;                // sqrt(2) * ( c1+c3-c5-c7)
        z1 *= -Fix0899976223;                 // sqrt(2) * (c7-c3)
        z2 *= -Fix2562915447;                 // sqrt(2) * (-c1-c3)
        z3 *= -Fix1961570560;                 // sqrt(2) * (-c3-c5)
        z4 *= -Fix0390180644;                 // sqrt(2) * (c5-c3)
        z3 += z5;
        z4 += z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
    }

    /// <summary>libjpeg's range_limit[x &amp; RANGE_MASK]: x taken modulo 2^(P+2) as a signed number, then
    /// level-shifted by 2^(P-1) (A.3.1) and clamped to 0..2^P-1.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Limit(int x, int maskShift, int center, int max)
    {
        var v = ((x << maskShift) >> maskShift) + center;
        return v < 0 ? 0 : v > max ? max : v;
    }
}
