namespace RemoteDx.Dicom.Codecs;

/// <summary>One Huffman table of a DHT segment (ISO/IEC 10918-1 B.2.4.2), prepared for decoding: the canonical codes of
/// Annex C (Figures C.1 to C.3), the MAXCODE/VALPTR/MINCODE arrays of F.2.2.3 (Figure F.16's DECODE procedure) for
/// long codes, and a direct lookup of the first <see cref="LookupBits"/> bits for the common short codes.</summary>
internal sealed class JpegHuffmanTable
{
    /// <summary>Codes up to this length are found with one table lookup.</summary>
    public const int LookupBits = 10;

    /// <summary>Indexed by the next <see cref="LookupBits"/> bits: (code length &lt;&lt; 8) | symbol, or 0 when the code
    /// is longer (or invalid).</summary>
    public readonly ushort[] Lookup = new ushort[1 << LookupBits];

    /// <summary>F.2.2.3: largest code of each length (index 1..16), -1 when the length has no codes.</summary>
    public readonly int[] MaxCode = new int[17];

    /// <summary>VALPTR[l] - MINCODE[l]: added to a code of length l it gives the index into <see cref="Values"/>.</summary>
    public readonly int[] ValueOffset = new int[17];

    public byte[] Values { get; private set; } = [];

    /// <summary>For AC tables, indexed like <see cref="Lookup"/>: when a run/size symbol (F.2.2.2) with size &gt; 0
    /// and its additional bits both fit in the first <see cref="LookupBits"/> bits, (coefficient value &lt;&lt; 16) |
    /// (run &lt;&lt; 8) | total bit count; 0 otherwise.</summary>
    public readonly int[] AcFast = new int[1 << LookupBits];

    private int[]? _differenceLookup;

    /// <summary>Flag of a <see cref="DifferenceLookup"/> entry whose additional bits do not fit in the lookup.</summary>
    public const int DifferenceCodeOnly = 0x80;

    /// <summary>For lossless tables (ISO/IEC 10918-1 H.1.2.2), indexed like <see cref="Lookup"/>: when a difference
    /// category SSSS and its SSSS additional bits both fit in the first <see cref="LookupBits"/> bits, (difference
    /// &lt;&lt; 8) | total bit count, the difference already extended (F.2.2.1, Table H.2; SSSS 16 is 32768 with no
    /// additional bits); when only the code fits, (SSSS &lt;&lt; 8) | <see cref="DifferenceCodeOnly"/> | code length;
    /// 0 for longer (or invalid) codes. Built from <see cref="Lookup"/> on first use.</summary>
    public int[] DifferenceLookup => _differenceLookup ??= BuildDifferenceLookup();

    private int[] BuildDifferenceLookup()
    {
        var table = new int[1 << LookupBits];
        for (var peek = 0; peek < table.Length; peek++)
        {
            int entry = Lookup[peek];
            if (entry == 0)
            {
                continue;
            }
            var length = entry >> 8;
            var ssss = entry & 0xFF;
            if (ssss is 0 or 16)
            {
                table[peek] = ((ssss == 0 ? 0 : 32768) << 8) | length;
            }
            else if (ssss < 16 && length + ssss <= LookupBits)
            {
                var extra = (peek >> (LookupBits - length - ssss)) & ((1 << ssss) - 1);
                var value = extra < 1 << (ssss - 1) ? extra - (1 << ssss) + 1 : extra;
                table[peek] = (value << 8) | (length + ssss);
            }
            else if (ssss < 16)
            {
                table[peek] = (ssss << 8) | DifferenceCodeOnly | length;
            }
        }
        return table;
    }

    /// <summary>Reads the tables of one DHT segment (B.2.4.2) into <paramref name="dc"/> and <paramref name="ac"/>
    /// (Tc 0 and 1, Th 0..3). Throws <see cref="DicomCodecException"/> on a malformed segment.</summary>
    public static void ReadSegment(ReadOnlySpan<byte> segment, JpegHuffmanTable?[] dc, JpegHuffmanTable?[] ac, string codec)
    {
        var p = 0;
        while (p < segment.Length)
        {
            if (p + 17 > segment.Length)
            {
                throw new DicomCodecException($"{codec}: DHT segment truncated (ISO/IEC 10918-1 B.2.4.2)");
            }
            var tc = segment[p] >> 4;
            var th = segment[p] & 0x0F;
            if (tc > 1 || th > 3)
            {
                throw new DicomCodecException($"{codec}: Huffman table class {tc} / id {th} is out of range (B.2.4.2)");
            }
            var counts = segment.Slice(p + 1, 16);
            var total = 0;
            foreach (var c in counts)
            {
                total += c;
            }
            if (total > 256 || p + 17 + total > segment.Length)
            {
                throw new DicomCodecException($"{codec}: DHT segment truncated or holds {total} codes (B.2.4.2)");
            }
            var table = new JpegHuffmanTable();
            table.Build(counts, segment.Slice(p + 17, total), codec);
            (tc == 0 ? dc : ac)[th] = table;
            p += 17 + total;
        }
    }

    private void Build(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values, string codec)
    {
        Values = values.ToArray();
        // Annex C, Figure C.2: codes of each length are consecutive integers, the first code of length l+1 being
        // (last code of length l + 1) << 1.
        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            // A code may neither overflow its length nor be all ones (Annex C; libjpeg's jdhuff.c rejects such
            // tables with JERR_BAD_HUFF_TABLE).
            if (code + n >= 1 << length)
            {
                throw new DicomCodecException($"{codec}: Huffman code lengths are inconsistent (Annex C)");
            }
            ValueOffset[length] = k - code;
            MaxCode[length] = n == 0 ? -1 : code + n - 1;
            for (var i = 0; i < n; i++, k++, code++)
            {
                if (length <= LookupBits)
                {
                    var shift = LookupBits - length;
                    var entry = (ushort)((length << 8) | Values[k]);
                    Lookup.AsSpan(code << shift, 1 << shift).Fill(entry);
                    var size = Values[k] & 15;
                    if (size != 0 && length + size <= LookupBits)
                    {
                        // Precompute EXTEND (F.2.2.1) of every possible value of the additional bits.
                        for (var extra = 0; extra < 1 << size; extra++)
                        {
                            var value = extra < 1 << (size - 1) ? extra - (1 << size) + 1 : extra;
                            var index = (((code << size) | extra) << (LookupBits - length - size));
                            var fast = (value << 16) | ((Values[k] >> 4) << 8) | (length + size);
                            AcFast.AsSpan(index, 1 << (LookupBits - length - size)).Fill(fast);
                        }
                    }
                }
            }
            code <<= 1;
        }
    }
}
