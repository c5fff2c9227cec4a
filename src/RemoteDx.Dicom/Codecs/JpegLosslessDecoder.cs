using System.Runtime.CompilerServices;

namespace RemoteDx.Dicom.Codecs;

/// <summary>Decoder for JPEG lossless, non-hierarchical, Huffman coded (ISO/IEC 10918-1 Annex H, Process 14, SOF3),
/// used for PS3.5 A.4.1's .57 and .70 syntaxes. Written here because JpegLibrary 0.4.32 predicts the first line with
/// predictors 2-7 instead of predictor 1 (H.1.2.1) and overflows 16-bit samples in predictors 5-7. Writes straight
/// into the destination; entropy decoding (a row of differences at a time) uses the sequential decoder's
/// <see cref="JpegBitReader"/> and <see cref="JpegHuffmanTable"/>, and reconstruction (H.2.1) has one loop per predictor.
/// Its only allocations are three rows per scan and the Huffman tables.</summary>
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

    public static void Decode(ReadOnlySpan<byte> data, PixelFormat format, Span<byte> destination)
    {
        if (destination.Length < format.Columns * format.Rows * format.SamplesPerPixel * format.BytesPerSample)
        {
            throw new DicomCodecException($"{CodecName}: destination is smaller than the frame");
        }
        var tables = new JpegHuffmanTable?[4];
        int[]? componentIds = null;
        int precision = 0, restartInterval = 0;
        var decodedComponents = new bool[format.SamplesPerPixel];
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
        {
            throw new DicomCodecException($"{CodecName}: stream does not start with SOI (ISO/IEC 10918-1 B.2.1)");
        }
        var pos = 2;
        while (true)
        {
            var marker = JpegMarkers.Next(data, pos, out pos);
            if (marker == 0xD9 || marker < 0)
            {
                break; // EOI; like libjpeg, a stream that just ends is accepted when every component was decoded
            }
            if (marker is >= 0xD0 and <= 0xD8 or 0x01)
            {
                continue; // stray RSTn, a second SOI and TEM carry no segment
            }
            var segment = JpegMarkers.ReadSegment(data, ref pos, marker, CodecName);
            switch (marker)
            {
                case 0xC4:
                    // Lossless tables are Tc 0 (B.2.4.2); the class is not needed to tell them apart.
                    JpegHuffmanTable.ReadSegment(segment, tables, tables, CodecName);
                    break;
                case 0xDD: // DRI, B.2.4.4
                    if (segment.Length < 2)
                    {
                        throw new DicomCodecException($"{CodecName}: DRI segment too short");
                    }
                    restartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xC3: // SOF3, B.2.2
                    if (componentIds is not null)
                    {
                        throw new DicomCodecException($"{CodecName}: more than one frame header");
                    }
                    if (segment.Length < 6)
                    {
                        throw new DicomCodecException($"{CodecName}: SOF3 segment too short");
                    }
                    precision = segment[0];
                    var height = (segment[1] << 8) | segment[2];
                    var width = (segment[3] << 8) | segment[4];
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
                    componentIds = new int[count];
                    for (var i = 0; i < count; i++)
                    {
                        componentIds[i] = segment[6 + 3 * i];
                        if (segment[7 + 3 * i] != 0x11)
                        {
                            throw new DicomCodecException($"{CodecName}: subsampled components are not supported");
                        }
                    }
                    break;
                case 0xDA: // SOS, B.2.3
                    if (componentIds is null)
                    {
                        throw new DicomCodecException($"{CodecName}: scan before the frame header");
                    }
                    pos = DecodeScan(data, pos, segment, componentIds, tables, precision, restartInterval, decodedComponents, format, destination);
                    break;
                default:
                    if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC8 or 0xCC))
                    {
                        throw new DicomCodecException($"{CodecName}: frame type FF{marker:X2} is not lossless Huffman (SOF3)");
                    }
                    break; // APPn, COM, DNL and others carry nothing needed here
            }
        }
        if (componentIds is null || decodedComponents.Any(d => !d))
        {
            throw new DicomCodecException($"{CodecName}: stream ends before every component was decoded");
        }
    }

    private static int DecodeScan(ReadOnlySpan<byte> data, int pos, ReadOnlySpan<byte> header, int[] componentIds,
        JpegHuffmanTable?[] tables, int precision, int restartInterval, bool[] decodedComponents, PixelFormat format, Span<byte> destination)
    {
        // B.2.3: Ns, (Cs, Td/Ta) x Ns, Ss (predictor, H.1.2.1 Table H.1), Se, Ah/Al (Al = point transform Pt).
        if (header.Length < 1)
        {
            throw new DicomCodecException($"{CodecName}: SOS segment too short");
        }
        var ns = header[0];
        if (ns < 1 || ns > componentIds.Length || header.Length < 1 + 2 * ns + 3)
        {
            throw new DicomCodecException($"{CodecName}: SOS declares {ns} components");
        }
        var scanIndex = new int[ns];
        var scanTables = new JpegHuffmanTable[ns];
        for (var i = 0; i < ns; i++)
        {
            var id = header[1 + 2 * i];
            var index = Array.IndexOf(componentIds, id);
            if (index < 0 || decodedComponents[index])
            {
                throw new DicomCodecException($"{CodecName}: scan component {id} is unknown or repeated");
            }
            scanIndex[i] = index;
            decodedComponents[index] = true;
            var td = header[2 + 2 * i] >> 4;
            scanTables[i] = (td < 4 ? tables[td] : null) ?? throw new DicomCodecException($"{CodecName}: scan uses an undefined Huffman table");
        }
        var predictor = header[1 + 2 * ns];
        var pt = header[3 + 2 * ns] & 0x0F;
        if (predictor > 7 || pt >= precision)
        {
            throw new DicomCodecException($"{CodecName}: predictor {predictor} / point transform {pt} out of range (H.1.2)");
        }

        var width = format.Columns;
        var height = format.Rows;
        var initial = 1 << (precision - pt - 1);
        var rowLength = width * ns;
        var differences = new int[rowLength];
        var previous = new ushort[rowLength];
        var current = new ushort[rowLength];
        var restarts = new int[width];
        var output = new RowOutput(format, scanIndex, pt, destination);

        var reader = new JpegBitReader(data, pos);
        var mcusLeft = restartInterval;
        var nextRestart = 0;
        for (var y = 0; y < height; y++)
        {
            // Entropy decoding of the row's differences, restart interval by restart interval (H.2, F.2.2.5).
            var restartCount = 0;
            for (var x = 0; x < width;)
            {
                var n = width - x;
                if (restartInterval > 0)
                {
                    if (mcusLeft == 0)
                    {
                        reader.Restart(nextRestart++, CodecName);
                        mcusLeft = restartInterval;
                        restarts[restartCount++] = x;
                    }
                    n = Math.Min(n, mcusLeft);
                    mcusLeft -= n;
                }
                reader.DecodeDifferences(scanTables, differences.AsSpan(x * ns, n * ns), CodecName);
                x += n;
            }
            if (reader.Overrun)
            {
                throw new DicomCodecException($"{CodecName}: scan data ends early (truncated or corrupt stream)");
            }

            // H.1.2.1: the scan's first line, and the rest of a line from each restart on, start with the initial
            // prediction and then use predictor 1; other samples use the scan's predictor, Rb at the line start.
            var normalEnd = y == 0 ? 0 : restartCount > 0 ? restarts[0] : width;
            if (normalEnd > 0)
            {
                switch (predictor)
                {
                    case 0: Reconstruct<Predictor0>(current, previous, differences, ns, normalEnd); break;
                    case 1: Reconstruct<Predictor1>(current, previous, differences, ns, normalEnd); break;
                    case 2: Reconstruct<Predictor2>(current, previous, differences, ns, normalEnd); break;
                    case 3: Reconstruct<Predictor3>(current, previous, differences, ns, normalEnd); break;
                    case 4: Reconstruct<Predictor4>(current, previous, differences, ns, normalEnd); break;
                    case 5: Reconstruct<Predictor5>(current, previous, differences, ns, normalEnd); break;
                    case 6: Reconstruct<Predictor6>(current, previous, differences, ns, normalEnd); break;
                    default: Reconstruct<Predictor7>(current, previous, differences, ns, normalEnd); break;
                }
            }
            var start = y == 0 ? 0 : normalEnd;
            for (var r = y == 0 ? 0 : 1; start < width; r++)
            {
                var end = r < restartCount ? restarts[r] : width;
                if (end > start)
                {
                    ReconstructFirstLine(current, differences, ns, start, end, initial);
                }
                start = end;
            }
            output.Write(current, y);
            (previous, current) = (current, previous);
        }
        return reader.Position;
    }

    private interface IPredictor
    {
        /// <summary>Table H.1, in 32-bit arithmetic on 16-bit samples (H.1.2.1).</summary>
        static abstract int Predict(int ra, int rb, int rc);
    }

    /// <summary>Predictor 0 is for hierarchical mode only (Table H.1); a stream that uses it anyway gets no prediction.</summary>
    private readonly struct Predictor0 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => 0;
    }

    private readonly struct Predictor1 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => ra;
    }

    private readonly struct Predictor2 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => rb;
    }

    private readonly struct Predictor3 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => rc;
    }

    private readonly struct Predictor4 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => ra + rb - rc;
    }

    private readonly struct Predictor5 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => ra + ((rb - rc) >> 1);
    }

    private readonly struct Predictor6 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => rb + ((ra - rc) >> 1);
    }

    private readonly struct Predictor7 : IPredictor
    {
        public static int Predict(int ra, int rb, int rc) => (ra + rb) >> 1;
    }

    /// <summary>Samples 0 to <paramref name="end"/> - 1 of a line that is not a first line: Rb at the line start,
    /// then <typeparamref name="TPredictor"/>; reconstruction is modulo 2^16 (H.1.2.1). Rows are interleaved by
    /// scan component, <paramref name="ns"/> values per sample; the caller keeps <paramref name="end"/> within the
    /// line, so every index below is less than end * ns &lt;= the rows' length.</summary>
    private static void Reconstruct<TPredictor>(ushort[] current, ushort[] previous, int[] differences, int ns, int end)
        where TPredictor : struct, IPredictor
    {
        if ((uint)(end * ns) > (uint)current.Length || previous.Length != current.Length || differences.Length != current.Length)
        {
            throw new DicomCodecException($"{CodecName}: internal row size mismatch");
        }
        ref var cur = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(current);
        ref var prev = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(previous);
        ref var diff = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(differences);
        var last = end * ns;
        for (var c = 0; c < ns; c++)
        {
            int rc = Unsafe.Add(ref prev, c);
            int ra = (ushort)(rc + Unsafe.Add(ref diff, c));
            Unsafe.Add(ref cur, c) = (ushort)ra;
            for (var i = c + ns; i < last; i += ns)
            {
                int rb = Unsafe.Add(ref prev, i);
                ra = (ushort)(TPredictor.Predict(ra, rb, rc) + Unsafe.Add(ref diff, i));
                Unsafe.Add(ref cur, i) = (ushort)ra;
                rc = rb;
            }
        }
    }

    /// <summary>Samples <paramref name="start"/> to <paramref name="end"/> - 1 of a first line (H.1.2.1): the initial
    /// prediction 2^(P - Pt - 1), then predictor 1.</summary>
    private static void ReconstructFirstLine(ushort[] current, int[] differences, int ns, int start, int end, int initial)
    {
        var cur = current.AsSpan(start * ns, (end - start) * ns);
        var diff = differences.AsSpan(start * ns, cur.Length);
        for (var c = 0; c < ns; c++)
        {
            int ra = (ushort)(initial + diff[c]);
            cur[c] = (ushort)ra;
            for (var i = c + ns; i < cur.Length; i += ns)
            {
                ra = (ushort)(ra + diff[i]);
                cur[i] = (ushort)ra;
            }
        }
    }

    /// <summary>Writes reconstructed lines into Decode's layout: samples interleaved per pixel, little endian,
    /// shifted left by the point transform (H.1.2.1), modulo 2^16.</summary>
    private readonly ref struct RowOutput(PixelFormat format, int[] scanIndex, int pt, Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;
        private readonly int _rowBytes = format.Columns * format.SamplesPerPixel * format.BytesPerSample;
        private readonly int _samples = format.SamplesPerPixel;
        private readonly int _bps = format.BytesPerSample;
        private readonly int[] _scanIndex = scanIndex;
        private readonly int _pt = pt;

        /// <summary>True when a line of the scan is byte for byte a line of the destination.</summary>
        private readonly bool _direct = format.BytesPerSample == 2 && pt == 0 && BitConverter.IsLittleEndian
            && scanIndex.Length == format.SamplesPerPixel && scanIndex.AsSpan().SequenceEqual(Identity(scanIndex.Length));

        private static int[] Identity(int n)
        {
            var identity = new int[n];
            for (var i = 0; i < n; i++)
            {
                identity[i] = i;
            }
            return identity;
        }

        public void Write(ushort[] line, int y)
        {
            var row = _destination.Slice(y * _rowBytes, _rowBytes);
            if (_direct)
            {
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(line.AsSpan()).CopyTo(row);
                return;
            }
            var ns = _scanIndex.Length;
            var pixels = line.Length / ns;
            for (var c = 0; c < ns; c++)
            {
                var stride = _samples * _bps;
                var offset = _scanIndex[c] * _bps;
                switch (_bps)
                {
                    case 1:
                        for (var x = 0; x < pixels; x++, offset += stride)
                        {
                            row[offset] = (byte)(line[x * ns + c] << _pt);
                        }
                        break;
                    case 2:
                        for (var x = 0; x < pixels; x++, offset += stride)
                        {
                            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(row[offset..], (ushort)(line[x * ns + c] << _pt));
                        }
                        break;
                    default:
                        for (var x = 0; x < pixels; x++, offset += stride)
                        {
                            CodecSupport.WriteSample(row, offset, _bps, (line[x * ns + c] << _pt) & 0xFFFF);
                        }
                        break;
                }
            }
        }
    }
}
