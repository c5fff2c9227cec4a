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

    /// <summary>F.2.2.3 DECODE: the next Huffman-coded symbol. Leaves at least 16 bits buffered, enough for the
    /// additional bits of any coefficient (F.2.2.1, at most 15).</summary>
    public int Decode(JpegHuffmanTable table, string codec)
    {
        if (_count < 32)
        {
            Fill();
        }
        var entry = table.Lookup[(int)(_buffer >> (_count - JpegHuffmanTable.LookupBits)) & ((1 << JpegHuffmanTable.LookupBits) - 1)];
        if (entry != 0)
        {
            _count -= entry >> 8;
            return entry & 0xFF;
        }
        // Figure F.16: extend the code one bit at a time until it is no larger than MAXCODE of its length.
        var bits16 = (int)(_buffer >> (_count - 16)) & 0xFFFF;
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
                _count -= length;
                return table.Values[index];
            }
        }
        throw new DicomCodecException($"{codec}: invalid Huffman code in the scan data (corrupt stream)");
    }

    /// <summary>The next <paramref name="n"/> (0..16) bits as an unsigned integer; call after <see cref="Decode"/>,
    /// which buffered enough of them.</summary>
    public int Bits(int n)
    {
        _count -= n;
        return (int)(_buffer >> _count) & ((1 << n) - 1);
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
        var marker = JpegDctDecoder.NextMarker(_data, Position, out var after);
        if (marker != 0xD0 + (expected & 7))
        {
            throw new DicomCodecException(marker < 0
                ? $"{codec}: stream ends inside a restart interval (truncated)"
                : $"{codec}: expected RST{expected & 7}, found marker FF{marker:X2} (corrupt stream, ISO/IEC 10918-1 F.1.2.3)");
        }
        Position = after;
    }
}
