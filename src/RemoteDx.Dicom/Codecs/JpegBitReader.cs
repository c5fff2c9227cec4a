namespace RemoteDx.Dicom.Codecs;

/// <summary>Reads the entropy-coded data of one scan (ISO/IEC 10918-1 F.2.2.5): bytes most significant bit first, an
/// FF 00 pair standing for one FF data byte. Any other marker ends the data; like libjpeg (jdhuff.c fill_bit_buffer)
/// the reader then supplies zero bits, but it remembers how many, and <see cref="Overrun"/> tells when the decoder has
/// actually used them (a truncated or corrupt scan).</summary>
internal ref struct JpegBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private ulong _buffer;   // the low _count bits are unread, most significant first
    private int _count;
    private int _padding;    // how many of the low _count bits are zeros supplied past the end of the data
    private bool _atMarker;

    public JpegBitReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        Position = position;
    }

    /// <summary>Offset of the next byte not yet read into the bit buffer; when the data ended at a marker, the offset
    /// of that marker's first FF.</summary>
    public int Position { get; private set; }

    /// <summary>True once the decoder has used bits beyond the end of the scan data.</summary>
    public readonly bool Overrun => _count < _padding;

    /// <summary>Makes at least 57 bits available (F.2.2.5).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Fill()
    {
        var data = _data;
        var position = Position;
        while (_count <= 56)
        {
            if (!_atMarker && (uint)position < (uint)data.Length)
            {
                var b = data[position];
                if (b != 0xFF)
                {
                    position++;
                    _buffer = (_buffer << 8) | b;
                    _count += 8;
                    continue;
                }
                // F.1.2.3: FF 00 is a stuffed FF data byte; like libjpeg, fill bytes FF before the 00 are skipped.
                var next = position + 1;
                while (next < data.Length && data[next] == 0xFF)
                {
                    next++;
                }
                if (next < data.Length && data[next] == 0x00)
                {
                    position = next + 1;
                    _buffer = (_buffer << 8) | 0xFF;
                    _count += 8;
                    continue;
                }
                _atMarker = true;
            }
            // Past the data (a marker or the end of the stream): zero bits, counted.
            _buffer <<= 8;
            _count += 8;
            _padding += 8;
        }
        Position = position;
    }

    /// <summary>Decodes one 8x8 block of a sequential scan into <paramref name="block"/> (64 entries, natural order,
    /// cleared first): F.2.2.1 a DC difference (category, then that many additional bits, EXTEND) added to the
    /// predictor, then F.2.2.2 run/size coded AC coefficients up to EOB. Values are kept as libjpeg's 16-bit JCOEF;
    /// a run past coefficient 63 lands on 63, as with libjpeg's padded jpeg_natural_order. The bit buffer is held in
    /// locals here: this is the decoder's inner loop.</summary>
    public unsafe void DecodeBlock(JpegHuffmanTable dc, JpegHuffmanTable ac, ref int predictor, int* block, string codec)
    {
        new Span<int>(block, 64).Clear();
        var buffer = _buffer;
        var count = _count;
        const int lookupMask = (1 << JpegHuffmanTable.LookupBits) - 1;
        if (count < 32)
        {
            _count = count;
            Fill();
            buffer = _buffer;
            count = _count;
        }
        int entry = dc.Lookup[(int)(buffer >> (count - JpegHuffmanTable.LookupBits)) & lookupMask];
        if (entry == 0)
        {
            entry = DecodeLong(dc, buffer, count, codec);
        }
        count -= entry >> 8;
        var s = entry & 0xFF;
        if (s != 0)
        {
            if (s > 15)
            {
                throw new DicomCodecException($"{codec}: DC difference category {s} out of range (Table F.1)");
            }
            count -= s;
            var v = (int)(buffer >> count) & ((1 << s) - 1);
            s = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
        }
        predictor += s;
        block[0] = (short)predictor;

        ref var order = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(JpegIdct.NaturalOrder);
        fixed (int* fastTable = ac.AcFast)
        fixed (ushort* lookup = ac.Lookup)
        {
            for (var k = 1; k < 64; k++)
            {
                if (count < 32)
                {
                    _buffer = buffer;
                    _count = count;
                    Fill();
                    buffer = _buffer;
                    count = _count;
                }
                var peek = (int)(buffer >> (count - JpegHuffmanTable.LookupBits)) & lookupMask;
                var fast = fastTable[peek];
                if (fast != 0)
                {
                    k += (fast >> 8) & 0xFF;
                    count -= fast & 0xFF;
                    block[System.Runtime.CompilerServices.Unsafe.Add(ref order, k)] = (short)(fast >> 16);
                    continue;
                }
                entry = lookup[peek];
                if (entry == 0)
                {
                    entry = DecodeLong(ac, buffer, count, codec);
                }
                count -= entry >> 8;
                var run = (entry >> 4) & 15;
                s = entry & 15;
                if (s != 0)
                {
                    k += run;
                    count -= s;
                    var v = (int)(buffer >> count) & ((1 << s) - 1);
                    // k <= 63 + 15: NaturalOrder has 80 entries.
                    block[System.Runtime.CompilerServices.Unsafe.Add(ref order, k)] = (short)(v < 1 << (s - 1) ? v - (1 << s) + 1 : v);
                }
                else
                {
                    if (run != 15)
                    {
                        break; // EOB
                    }
                    k += 15; // ZRL
                }
            }
        }
        _buffer = buffer;
        _count = count;
    }

    /// <summary>Decodes the difference values of <paramref name="differences"/>.Length / <paramref name="tables"/>.Length
    /// lossless MCUs (ISO/IEC 10918-1 H.1.2.2, H.2), one per scan component in turn. Differences whose code and
    /// additional bits fit in the lookup take one lookup (<see cref="JpegHuffmanTable.DifferenceLookup"/>), others
    /// <see cref="DecodeDifferenceSlow"/>. The bit buffer is held in locals here: this is the lossless decoder's inner
    /// loop. One difference uses at most 16 + 15 bits, so a refill below 32 bits is enough.</summary>
    public void DecodeDifferences(JpegHuffmanTable[] tables, Span<int> differences, string codec)
    {
        var buffer = _buffer;
        var count = _count;
        const int lookupMask = (1 << JpegHuffmanTable.LookupBits) - 1;
        ref var output = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(differences);
        var n = differences.Length;
        if (tables.Length == 1)
        {
            var table = tables[0];
            ref var fast = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(table.DifferenceLookup);
            for (var i = 0; i < n; i++)
            {
                if (count < 32)
                {
                    (_buffer, _count) = (buffer, count);
                    Fill();
                    (buffer, count) = (_buffer, _count);
                }
                var entry = System.Runtime.CompilerServices.Unsafe.Add(ref fast, (int)(buffer >> (count - JpegHuffmanTable.LookupBits)) & lookupMask);
                if ((entry & JpegHuffmanTable.DifferenceCodeOnly) != 0)
                {
                    // The code is in the lookup, its additional bits are not: EXTEND them here.
                    var s = entry >> 8;
                    count -= (entry & 0x1F) + s;
                    var v = (int)(buffer >> count) & ((1 << s) - 1);
                    System.Runtime.CompilerServices.Unsafe.Add(ref output, i) = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
                    continue;
                }
                if (entry == 0)
                {
                    entry = DecodeDifferenceSlow(table, buffer, count, codec);
                }
                count -= entry & 0xFF;
                System.Runtime.CompilerServices.Unsafe.Add(ref output, i) = entry >> 8;
            }
        }
        else
        {
            var lookups = new int[tables.Length][];
            for (var c = 0; c < tables.Length; c++)
            {
                lookups[c] = tables[c].DifferenceLookup;
            }
            for (var i = 0; i < n;)
            {
                for (var c = 0; c < tables.Length && i < n; c++, i++)
                {
                    if (count < 32)
                    {
                        (_buffer, _count) = (buffer, count);
                        Fill();
                        (buffer, count) = (_buffer, _count);
                    }
                    var entry = lookups[c][(int)(buffer >> (count - JpegHuffmanTable.LookupBits)) & lookupMask];
                    if (entry == 0 || (entry & JpegHuffmanTable.DifferenceCodeOnly) != 0)
                    {
                        entry = DecodeDifferenceSlow(tables[c], buffer, count, codec);
                    }
                    count -= entry & 0xFF;
                    System.Runtime.CompilerServices.Unsafe.Add(ref output, i) = entry >> 8;
                }
            }
        }
        _buffer = buffer;
        _count = count;
    }

    /// <summary>H.1.2.2 / F.2.2.1 for a difference not in the fast lookup: category SSSS (Figure F.16 when the code is
    /// long), then SSSS additional bits and EXTEND; SSSS 16 is 32768 with no additional bits (Table H.2). Returns
    /// (difference &lt;&lt; 8) | bits used, like <see cref="JpegHuffmanTable.DifferenceLookup"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int DecodeDifferenceSlow(JpegHuffmanTable table, ulong buffer, int count, string codec)
    {
        int entry = table.Lookup[(int)(buffer >> (count - JpegHuffmanTable.LookupBits)) & ((1 << JpegHuffmanTable.LookupBits) - 1)];
        if (entry == 0)
        {
            entry = DecodeLong(table, buffer, count, codec);
        }
        var length = entry >> 8;
        var s = entry & 0xFF;
        if (s > 16)
        {
            throw new DicomCodecException($"{codec}: difference category {s} is out of range (Table H.2)");
        }
        if (s is 0 or 16)
        {
            return ((s == 0 ? 0 : 32768) << 8) | length;
        }
        var v = (int)(buffer >> (count - length - s)) & ((1 << s) - 1);
        return ((v < 1 << (s - 1) ? v - (1 << s) + 1 : v) << 8) | (length + s);
    }

    /// <summary>Figure F.16 for codes longer than the lookup: (length &lt;&lt; 8) | symbol.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int DecodeLong(JpegHuffmanTable table, ulong buffer, int count, string codec)
    {
        var bits16 = (int)(buffer >> (count - 16)) & 0xFFFF;
        for (var length = JpegHuffmanTable.LookupBits + 1; length <= 16; length++)
        {
            var code = bits16 >> (16 - length);
            if (code <= table.MaxCode[length])
            {
                var index = code + table.ValueOffset[length];
                if ((uint)index >= (uint)table.Values.Length)
                {
                    break;
                }
                return (length << 8) | table.Values[index];
            }
        }
        throw new DicomCodecException($"{codec}: invalid Huffman code in the scan data (corrupt stream)");
    }

    /// <summary>F.2.2.5 / B.2.1: at the end of a restart interval the remaining bits of the byte are padding and a
    /// RSTm marker must follow, m counting 0..7 modulo 8. Bytes before the marker are skipped, as libjpeg's
    /// next_marker does.</summary>
    public void Restart(int expected, string codec)
    {
        _buffer = 0;
        _count = 0;
        _padding = 0;
        _atMarker = false;
        var marker = JpegMarkers.Next(_data, Position, out var after);
        if (marker != 0xD0 + (expected & 7))
        {
            throw new DicomCodecException(marker < 0
                ? $"{codec}: stream ends inside a restart interval (truncated)"
                : $"{codec}: expected RST{expected & 7}, found marker FF{marker:X2} (corrupt stream, ISO/IEC 10918-1 F.1.2.3)");
        }
        Position = after;
    }
}
