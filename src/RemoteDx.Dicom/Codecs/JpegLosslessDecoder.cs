namespace RemoteDx.Dicom.Codecs;

/// <summary>Decoder for JPEG lossless, non-hierarchical, Huffman coded (ISO/IEC 10918-1 Annex H, Process 14, SOF3),
/// used for PS3.5 A.4.1's .57 and .70 syntaxes. Written here because JpegLibrary 0.4.32 predicts the first line with
/// predictors 2-7 instead of predictor 1 (H.1.2.1) and overflows 16-bit samples in predictors 5-7. Writes straight
/// into the destination; its only allocations are two rows per component and the Huffman tables.</summary>
internal static class JpegLosslessDecoder
{
    private const string CodecName = "JPEG Lossless";

    /// <summary>Marker code of the first Start Of Frame (B.1.1.3), or 0 if none is found before a scan.</summary>
    public static int FindStartOfFrame(ReadOnlySpan<byte> data)
    {
        var pos = 2;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return 0;
        }
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return 0;
            }
            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++; // fill byte, B.1.1.2
                continue;
            }
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return marker;
            }
            if (marker is 0xDA or 0xD9)
            {
                return 0;
            }
            pos += 2 + ((data[pos + 2] << 8) | data[pos + 3]);
        }
        return 0;
    }

    private sealed class HuffmanTable
    {
        public readonly int[] MaxCode = new int[18];
        public readonly int[] ValPtr = new int[17];
        public readonly int[] MinCode = new int[17];
        public byte[] Values = [];
    }

    private struct Component
    {
        public int Id;
    }

    public static void Decode(ReadOnlySpan<byte> data, PixelFormat format, Span<byte> destination)
    {
        var tables = new HuffmanTable?[4];
        Component[]? components = null;
        int precision = 0, width = 0, height = 0, restartInterval = 0;
        var decodedComponents = new bool[format.SamplesPerPixel];
        var pos = 2;
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
        {
            throw new DicomCodecException($"{CodecName}: stream does not start with SOI (ISO/IEC 10918-1 B.2.1)");
        }
        while (true)
        {
            // B.1.1.2: markers are FF xx, optionally preceded by fill bytes FF.
            if (pos + 2 > data.Length)
            {
                throw new DicomCodecException($"{CodecName}: stream ends before EOI (truncated)");
            }
            if (data[pos] != 0xFF)
            {
                throw new DicomCodecException($"{CodecName}: expected a marker at offset {pos}");
            }
            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }
            pos += 2;
            if (marker == 0xD9)
            {
                break; // EOI
            }
            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                continue; // stray RSTn / TEM carry no segment
            }
            if (pos + 2 > data.Length)
            {
                throw new DicomCodecException($"{CodecName}: marker segment FF{marker:X2} truncated");
            }
            var length = (data[pos] << 8) | data[pos + 1];
            if (length < 2 || pos + length > data.Length)
            {
                throw new DicomCodecException($"{CodecName}: marker segment FF{marker:X2} length {length} overruns the stream");
            }
            var segment = data.Slice(pos + 2, length - 2);
            pos += length;
            switch (marker)
            {
                case 0xC4:
                    ReadHuffmanTables(segment, tables);
                    break;
                case 0xDD: // DRI, B.2.4.4
                    if (segment.Length < 2)
                    {
                        throw new DicomCodecException($"{CodecName}: DRI segment too short");
                    }
                    restartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xC3: // SOF3, B.2.2
                    if (components is not null)
                    {
                        throw new DicomCodecException($"{CodecName}: more than one frame header");
                    }
                    if (segment.Length < 6)
                    {
                        throw new DicomCodecException($"{CodecName}: SOF3 segment too short");
                    }
                    precision = segment[0];
                    height = (segment[1] << 8) | segment[2];
                    width = (segment[3] << 8) | segment[4];
                    var count = segment[5];
                    if (width != format.Columns || height != format.Rows)
                    {
                        throw new DicomCodecException(
                            $"{CodecName}: stream is {width}x{height}, the dataset declares {format.Columns}x{format.Rows} (PS3.5 8.2.1)");
                    }
                    if (count != format.SamplesPerPixel || segment.Length < 6 + 3 * count)
                    {
                        throw new DicomCodecException($"{CodecName}: stream has {count} components, the dataset declares {format.SamplesPerPixel} samples per pixel");
                    }
                    if (precision is < 2 or > 16 || precision > format.BitsAllocated)
                    {
                        throw new DicomCodecException($"{CodecName}: precision {precision} does not fit Bits Allocated {format.BitsAllocated} (H.4.1)");
                    }
                    components = new Component[count];
                    for (var i = 0; i < count; i++)
                    {
                        components[i].Id = segment[6 + 3 * i];
                        if (segment[7 + 3 * i] != 0x11)
                        {
                            throw new DicomCodecException($"{CodecName}: subsampled components are not supported");
                        }
                    }
                    break;
                case 0xDA: // SOS, B.2.3
                    if (components is null)
                    {
                        throw new DicomCodecException($"{CodecName}: scan before the frame header");
                    }
                    pos = DecodeScan(data, pos, segment, components, tables, precision, restartInterval, decodedComponents, format, destination);
                    break;
                default:
                    if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC8 or 0xCC))
                    {
                        throw new DicomCodecException($"{CodecName}: frame type FF{marker:X2} is not lossless Huffman (SOF3)");
                    }
                    break; // APPn, COM, DNL and others carry nothing needed here
            }
        }
        if (components is null || decodedComponents.Any(d => !d))
        {
            throw new DicomCodecException($"{CodecName}: stream ends before every component was decoded");
        }
    }

    /// <summary>B.2.4.2: Tc/Th, 16 code counts, then the symbols; C.2 builds the canonical codes, F.2.2.3's
    /// MAXCODE/VALPTR/MINCODE decode them.</summary>
    private static void ReadHuffmanTables(ReadOnlySpan<byte> segment, HuffmanTable?[] tables)
    {
        var p = 0;
        while (p < segment.Length)
        {
            if (p + 17 > segment.Length)
            {
                throw new DicomCodecException($"{CodecName}: DHT segment truncated");
            }
            var th = segment[p] & 0x0F;
            if (th > 3)
            {
                throw new DicomCodecException($"{CodecName}: Huffman table id {th} is out of range");
            }
            var counts = segment.Slice(p + 1, 16);
            var total = 0;
            foreach (var c in counts)
            {
                total += c;
            }
            if (total > 256 || p + 17 + total > segment.Length)
            {
                throw new DicomCodecException($"{CodecName}: DHT segment truncated or holds {total} codes");
            }
            var table = new HuffmanTable { Values = segment.Slice(p + 17, total).ToArray() };
            var code = 0;
            var k = 0;
            for (var l = 1; l <= 16; l++)
            {
                table.ValPtr[l] = k;
                table.MinCode[l] = code;
                code += counts[l - 1];
                k += counts[l - 1];
                table.MaxCode[l] = counts[l - 1] == 0 ? -1 : code - 1;
                if (code > (1 << l))
                {
                    throw new DicomCodecException($"{CodecName}: Huffman code lengths are inconsistent");
                }
                code <<= 1;
            }
            table.MaxCode[17] = int.MaxValue;
            tables[th] = table;
            p += 17 + total;
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> data, int pos)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private uint _buffer;
        private int _bits;

        public int Position { get; private set; } = pos;

        public int ReadBit()
        {
            if (_bits == 0)
            {
                Fill();
            }
            _bits--;
            return (int)((_buffer >> _bits) & 1);
        }

        public int ReadBits(int n)
        {
            var v = 0;
            for (var i = 0; i < n; i++)
            {
                v = (v << 1) | ReadBit();
            }
            return v;
        }

        /// <summary>F.2.2.5: FF 00 is a stuffed FF; any other FF xx is a marker the scan may not read into.</summary>
        private void Fill()
        {
            if (Position >= _data.Length)
            {
                throw new DicomCodecException($"{CodecName}: scan data ends early (truncated stream)");
            }
            var b = _data[Position];
            if (b == 0xFF)
            {
                if (Position + 1 >= _data.Length || _data[Position + 1] != 0x00)
                {
                    throw new DicomCodecException($"{CodecName}: marker inside scan data (truncated or corrupt stream)");
                }
                Position += 2;
            }
            else
            {
                Position++;
            }
            _buffer = b;
            _bits = 8;
        }

        /// <summary>Drops the bits left in the current byte and consumes a RSTn marker (F.2.2.5, H.2.1).</summary>
        public void Restart()
        {
            _bits = 0;
            while (Position < _data.Length && _data[Position] == 0xFF && Position + 1 < _data.Length && _data[Position + 1] == 0xFF)
            {
                Position++;
            }
            if (Position + 1 >= _data.Length || _data[Position] != 0xFF || _data[Position + 1] is < 0xD0 or > 0xD7)
            {
                throw new DicomCodecException($"{CodecName}: expected a restart marker at offset {Position}");
            }
            Position += 2;
        }

        public int Finish()
        {
            _bits = 0;
            return Position;
        }
    }

    private static int DecodeScan(ReadOnlySpan<byte> data, int pos, ReadOnlySpan<byte> header, Component[] components,
        HuffmanTable?[] tables, int precision, int restartInterval, bool[] decodedComponents, PixelFormat format, Span<byte> destination)
    {
        // B.2.3: Ns, (Cs, Td/Ta) x Ns, Ss (predictor, H.1.2.1 Table H.1), Se, Ah/Al (Al = point transform Pt).
        if (header.Length < 1)
        {
            throw new DicomCodecException($"{CodecName}: SOS segment too short");
        }
        var ns = header[0];
        if (ns < 1 || ns > components.Length || header.Length < 1 + 2 * ns + 3)
        {
            throw new DicomCodecException($"{CodecName}: SOS declares {ns} components");
        }
        var scanIndex = new int[ns];
        var scanTables = new HuffmanTable[ns];
        for (var i = 0; i < ns; i++)
        {
            var id = header[1 + 2 * i];
            var index = Array.FindIndex(components, c => c.Id == id);
            if (index < 0 || decodedComponents[index])
            {
                throw new DicomCodecException($"{CodecName}: scan component {id} is unknown or repeated");
            }
            scanIndex[i] = index;
            decodedComponents[index] = true;
            scanTables[i] = tables[header[2 + 2 * i] >> 4] ?? throw new DicomCodecException($"{CodecName}: scan uses an undefined Huffman table");
        }
        var predictor = header[1 + 2 * ns];
        var pt = header[3 + 2 * ns] & 0x0F;
        if (predictor > 7 || pt >= precision)
        {
            throw new DicomCodecException($"{CodecName}: predictor {predictor} / point transform {pt} out of range (H.1.2)");
        }

        var width = format.Columns;
        var height = format.Rows;
        var samples = format.SamplesPerPixel;
        var bps = format.BytesPerSample;
        var initial = 1 << (precision - pt - 1);
        var previous = new int[ns][];
        var current = new int[ns][];
        for (var i = 0; i < ns; i++)
        {
            previous[i] = new int[width];
            current[i] = new int[width];
        }

        var reader = new BitReader(data, pos);
        var mcusLeft = restartInterval;
        var restartAt = 0;
        for (var y = 0; y < height; y++)
        {
            var firstLine = y == 0; // the scan's first line: initial prediction, then predictor 1 (H.1.2.1)
            for (var x = 0; x < width; x++)
            {
                if (restartInterval > 0 && mcusLeft == 0)
                {
                    reader.Restart();
                    mcusLeft = restartInterval;
                    // H.1.2.1: a restart interval starts over with the initial prediction, then predictor 1 for
                    // the rest of that line.
                    firstLine = true;
                    restartAt = x;
                }
                for (var i = 0; i < ns; i++)
                {
                    var diff = ReadDifference(ref reader, scanTables[i]);
                    var cur = current[i];
                    var prev = previous[i];
                    int px;
                    if (firstLine)
                    {
                        px = x == restartAt ? initial : cur[x - 1];
                    }
                    else if (x == 0)
                    {
                        px = prev[0];
                    }
                    else
                    {
                        int ra = cur[x - 1], rb = prev[x], rc = prev[x - 1];
                        px = predictor switch
                        {
                            1 => ra,
                            2 => rb,
                            3 => rc,
                            4 => ra + rb - rc,
                            5 => ra + ((rb - rc) >> 1),
                            6 => rb + ((ra - rc) >> 1),
                            7 => (ra + rb) >> 1,
                            _ => 0, // predictor 0 is for hierarchical mode only (Table H.1)
                        };
                    }
                    // H.1.2.1: reconstruction is modulo 2^16.
                    var value = (px + diff) & 0xFFFF;
                    cur[x] = value;
                    var offset = ((y * width + x) * samples + scanIndex[i]) * bps;
                    CodecSupport.WriteSample(destination, offset, bps, (value << pt) & 0xFFFF);
                }
                if (restartInterval > 0)
                {
                    mcusLeft--;
                }
            }
            restartAt = 0;
            (previous, current) = (current, previous);
        }
        return reader.Finish();
    }

    /// <summary>H.1.2.2 / F.2.2.1: a Huffman-coded category SSSS, then SSSS extra bits (EXTEND); SSSS 16 means 32768
    /// with no extra bits.</summary>
    private static int ReadDifference(ref BitReader reader, HuffmanTable table)
    {
        var code = reader.ReadBit();
        var length = 1;
        while (code > table.MaxCode[length])
        {
            if (length == 16)
            {
                throw new DicomCodecException($"{CodecName}: invalid Huffman code in scan data");
            }
            code = (code << 1) | reader.ReadBit();
            length++;
        }
        var index = table.ValPtr[length] + code - table.MinCode[length];
        if ((uint)index >= (uint)table.Values.Length)
        {
            throw new DicomCodecException($"{CodecName}: invalid Huffman code in scan data");
        }
        var ssss = table.Values[index];
        if (ssss == 0)
        {
            return 0;
        }
        if (ssss == 16)
        {
            return 32768;
        }
        if (ssss > 16)
        {
            throw new DicomCodecException($"{CodecName}: difference category {ssss} is out of range (Table H.2)");
        }
        var bits = reader.ReadBits(ssss);
        return bits < (1 << (ssss - 1)) ? bits - (1 << ssss) + 1 : bits;
    }
}
