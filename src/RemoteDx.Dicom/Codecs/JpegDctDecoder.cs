using System.Buffers.Binary;

namespace RemoteDx.Dicom.Codecs;

/// <summary>Decoder for sequential DCT JPEG with Huffman coding (ISO/IEC 10918-1 Annex F; SOF0 baseline and SOF1
/// extended, 8 or 12-bit precision), used for PS3.5 A.4.1's .50 and .51 syntaxes. The output is bit-exact with IJG
/// libjpeg 6b at its default settings as DCMTK's dcmdjpeg +cn runs it: JDCT_ISLOW inverse DCT (<see cref="JpegIdct"/>),
/// "fancy" triangular upsampling for 2:1 horizontal and 2:1 x 2:1 subsampling and replication for other integral
/// ratios (jdsample.c), no colour conversion. Components are interleaved per pixel into Decode's layout.</summary>
internal sealed unsafe class JpegDctDecoder
{
    private const string CodecName = "JPEG";

    private sealed class Component
    {
        public int Id;
        public int H;
        public int V;
        public int Tq;
        public bool Decoded;
        /// <summary>Width and height of the component in samples (A.1.1: ceil(X * H / Hmax)).</summary>
        public int Width;
        public int Height;
        /// <summary>Blocks holding real samples; blocks beyond them are dummies (A.2.4) and not transformed.</summary>
        public int BlocksWide;
        public int BlocksHigh;
        /// <summary>Samples after the IDCT, row pitch <see cref="Stride"/>, covering every MCU of the frame.</summary>
        public ushort[] Plane = [];
        public int Stride;
        public int[] Quant = [];
    }

    private readonly PixelFormat _format;
    private readonly int[]?[] _quant = new int[4][];
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable?[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable?[4];
    private Component[]? _components;
    private int _precision;
    private int _width;
    private int _height;
    private int _hMax;
    private int _vMax;
    private int _mcusWide;
    private int _mcusHigh;
    private int _restartInterval;

    private JpegDctDecoder(PixelFormat format) => _format = format;

    /// <summary>Decodes a SOF0/SOF1 stream into <paramref name="destination"/> (Decode's layout, see
    /// <see cref="IPixelCodec.Decode"/>). Throws <see cref="DicomCodecException"/> on a corrupt or truncated stream,
    /// or one whose frame header disagrees with <paramref name="format"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> data, PixelFormat format, Span<byte> destination)
    {
        var decoder = new JpegDctDecoder(format);
        decoder.ReadStream(data);
        decoder.Output(destination);
    }

    private void ReadStream(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
        {
            throw new DicomCodecException($"{CodecName}: stream does not start with SOI (ISO/IEC 10918-1 B.2.1)");
        }
        var pos = 2;
        while (true)
        {
            var marker = JpegMarkers.Next(data, pos, out pos);
            if (marker < 0)
            {
                // libjpeg supplies a fake EOI at the end of the data (with a warning); complete images are accepted.
                if (_components is not null && _components.All(c => c.Decoded))
                {
                    return;
                }
                throw new DicomCodecException($"{CodecName}: stream ends before every component was decoded (truncated)");
            }
            if (marker == 0xD9)
            {
                if (_components is null || _components.Any(c => !c.Decoded))
                {
                    throw new DicomCodecException($"{CodecName}: EOI before every component was decoded");
                }
                return;
            }
            if (marker is >= 0xD0 and <= 0xD8 or 0x01)
            {
                continue; // RSTn outside a scan, a second SOI and TEM carry no segment
            }
            var segment = JpegMarkers.ReadSegment(data, ref pos, marker, CodecName);
            switch (marker)
            {
                case 0xC0 or 0xC1:
                    ReadFrameHeader(segment);
                    break;
                case 0xC4:
                    JpegHuffmanTable.ReadSegment(segment, _dcTables, _acTables, CodecName);
                    break;
                case 0xDB:
                    ReadQuantizationTables(segment);
                    break;
                case 0xDD: // DRI, B.2.4.4
                    if (segment.Length != 2)
                    {
                        throw new DicomCodecException($"{CodecName}: DRI segment has length {segment.Length + 2}, not 4");
                    }
                    _restartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xDA:
                    pos = DecodeScan(data, pos, segment);
                    break;
                case 0xCC:
                    throw new DicomCodecException($"{CodecName}: arithmetic coding (DAC) is not supported");
                case >= 0xC2 and <= 0xCF when marker is not 0xC8:
                    throw new DicomCodecException($"{CodecName}: frame type FF{marker:X2} is not sequential Huffman DCT (SOF0/SOF1)");
                default:
                    break; // APPn, COM, DNL and others carry nothing needed here
            }
        }
    }

    /// <summary>B.2.2 frame header: P, Y, X, Nf, then Ci, Hi/Vi, Tqi per component; checked against the dataset's
    /// Image Pixel Module (PS3.5 8.2.1) and libjpeg's limits (jdinput.c initial_setup).</summary>
    private void ReadFrameHeader(ReadOnlySpan<byte> segment)
    {
        if (_components is not null)
        {
            throw new DicomCodecException($"{CodecName}: more than one frame header");
        }
        if (segment.Length < 6)
        {
            throw new DicomCodecException($"{CodecName}: SOF segment too short");
        }
        _precision = segment[0];
        _height = (segment[1] << 8) | segment[2];
        _width = (segment[3] << 8) | segment[4];
        int count = segment[5];
        if (_precision is not (8 or 12))
        {
            throw new DicomCodecException($"{CodecName}: DCT sample precision {_precision} is neither 8 nor 12 (B.2.2)");
        }
        if (_height == 0)
        {
            throw new DicomCodecException($"{CodecName}: frame height 0 (DNL, B.2.5) is not supported");
        }
        if (_width != _format.Columns || _height != _format.Rows)
        {
            throw new DicomCodecException(
                $"{CodecName}: stream is {_width}x{_height}, the dataset declares {_format.Columns}x{_format.Rows} (PS3.5 8.2.1)");
        }
        if (count != _format.SamplesPerPixel)
        {
            throw new DicomCodecException(
                $"{CodecName}: stream has {count} components, the dataset declares {_format.SamplesPerPixel} samples per pixel");
        }
        if (_precision > _format.BitsAllocated)
        {
            throw new DicomCodecException(
                $"{CodecName}: stream precision {_precision} bits does not fit Bits Allocated {_format.BitsAllocated} (PS3.5 8.2.1)");
        }
        if (segment.Length != 6 + 3 * count)
        {
            throw new DicomCodecException($"{CodecName}: SOF segment length does not match its {count} components");
        }
        var components = new Component[count];
        for (var i = 0; i < count; i++)
        {
            var c = components[i] = new Component
            {
                Id = segment[6 + 3 * i],
                H = segment[7 + 3 * i] >> 4,
                V = segment[7 + 3 * i] & 0x0F,
                Tq = segment[8 + 3 * i],
            };
            if (c.H is < 1 or > 4 || c.V is < 1 or > 4)
            {
                throw new DicomCodecException($"{CodecName}: sampling factors {c.H}x{c.V} out of range (B.2.2)");
            }
            if (c.Tq > 3)
            {
                throw new DicomCodecException($"{CodecName}: quantization table selector {c.Tq} out of range (B.2.2)");
            }
        }
        _hMax = components.Max(c => c.H);
        _vMax = components.Max(c => c.V);
        _mcusWide = (_width + 8 * _hMax - 1) / (8 * _hMax);
        _mcusHigh = (_height + 8 * _vMax - 1) / (8 * _vMax);
        foreach (var c in components)
        {
            // jdsample.c handles integral ratios only (JERR_FRACT_SAMPLE_NOTIMPL otherwise).
            if (_hMax % c.H != 0 || _vMax % c.V != 0)
            {
                throw new DicomCodecException($"{CodecName}: fractional sampling ratios ({c.H}x{c.V} of {_hMax}x{_vMax}) are not supported");
            }
            c.Width = (int)(((long)_width * c.H + _hMax - 1) / _hMax);
            c.Height = (int)(((long)_height * c.V + _vMax - 1) / _vMax);
            c.BlocksWide = (c.Width + 7) / 8;
            c.BlocksHigh = (c.Height + 7) / 8;
            c.Stride = _mcusWide * c.H * 8;
            var size = (long)c.Stride * _mcusHigh * c.V * 8;
            if (size > Array.MaxLength)
            {
                throw new DicomCodecException($"{CodecName}: frame of {_width}x{_height} is too large");
            }
            c.Plane = GC.AllocateUninitializedArray<ushort>((int)size);
        }
        _components = components;
    }

    /// <summary>B.2.4.1: Pq/Tq, then 64 values in zig-zag order (8-bit when Pq = 0, 16-bit when Pq = 1); stored here
    /// in natural order, as libjpeg's get_dqt does.</summary>
    private void ReadQuantizationTables(ReadOnlySpan<byte> segment)
    {
        var p = 0;
        while (p < segment.Length)
        {
            var pq = segment[p] >> 4;
            var tq = segment[p] & 0x0F;
            if (pq > 1 || tq > 3)
            {
                throw new DicomCodecException($"{CodecName}: DQT precision {pq} / id {tq} out of range (B.2.4.1)");
            }
            var bytes = pq == 0 ? 64 : 128;
            if (p + 1 + bytes > segment.Length)
            {
                throw new DicomCodecException($"{CodecName}: DQT segment truncated");
            }
            var table = new int[64];
            for (var i = 0; i < 64; i++)
            {
                table[JpegIdct.NaturalOrder[i]] = pq == 0 ? segment[p + 1 + i] : BinaryPrimitives.ReadUInt16BigEndian(segment[(p + 1 + 2 * i)..]);
            }
            _quant[tq] = table;
            p += 1 + bytes;
        }
    }

    /// <summary>B.2.3 scan header, then the entropy-coded segments of F.2 with restart intervals (B.2.4.4, F.2.2.5).
    /// Each block is complete after its scan in sequential mode, so it is transformed as soon as it is decoded.
    /// Returns the offset after the scan's data.</summary>
    private int DecodeScan(ReadOnlySpan<byte> data, int pos, ReadOnlySpan<byte> header)
    {
        var components = _components ?? throw new DicomCodecException($"{CodecName}: scan before the frame header");
        if (header.Length < 1)
        {
            throw new DicomCodecException($"{CodecName}: SOS segment too short");
        }
        int ns = header[0];
        if (ns is < 1 or > 4 || header.Length != 4 + 2 * ns)
        {
            throw new DicomCodecException($"{CodecName}: SOS segment declares {ns} components (B.2.3)");
        }
        var scan = new Component[ns];
        var dcTables = new JpegHuffmanTable[ns];
        var acTables = new JpegHuffmanTable[ns];
        var blocksInMcu = 0;
        for (var i = 0; i < ns; i++)
        {
            var id = header[1 + 2 * i];
            var c = Array.Find(components, x => x.Id == id);
            if (c is null || c.Decoded || Array.IndexOf(scan, c) >= 0)
            {
                throw new DicomCodecException($"{CodecName}: scan component {id} is unknown or repeated");
            }
            scan[i] = c;
            var td = header[2 + 2 * i] >> 4;
            var ta = header[2 + 2 * i] & 0x0F;
            dcTables[i] = (td < 4 ? _dcTables[td] : null) ?? throw new DicomCodecException($"{CodecName}: scan uses an undefined DC Huffman table {td}");
            acTables[i] = (ta < 4 ? _acTables[ta] : null) ?? throw new DicomCodecException($"{CodecName}: scan uses an undefined AC Huffman table {ta}");
            // jdinput.c latch_quant_tables: the table in force when the component's first scan starts is used.
            c.Quant = (int[]?)_quant[c.Tq]?.Clone() ?? throw new DicomCodecException($"{CodecName}: quantization table {c.Tq} is not defined");
            blocksInMcu += c.H * c.V;
        }
        // B.2.3: at most 10 blocks in an interleaved MCU (libjpeg's D_MAX_BLOCKS_IN_MCU).
        if (ns > 1 && blocksInMcu > 10)
        {
            throw new DicomCodecException($"{CodecName}: {blocksInMcu} blocks per MCU exceed the limit of 10 (B.2.3)");
        }
        // Ss, Se, Ah/Al are 0, 63, 0 in sequential mode; libjpeg only warns otherwise, and so they are not checked.

        var reader = new JpegBitReader(data, pos);
        var coefficients = stackalloc int[64];
        var workspace = stackalloc int[64];
        var predictors = stackalloc int[ns];
        var restartsLeft = _restartInterval;
        var nextRestart = 0;
        var precision = _precision;

        if (ns == 1)
        {
            // A.2.2: a non-interleaved scan codes the component's blocks in raster order, one block per MCU.
            var c = scan[0];
            var dc = dcTables[0];
            var ac = acTables[0];
            fixed (int* quant = c.Quant)
            fixed (ushort* plane = c.Plane)
            {
                for (var by = 0; by < c.BlocksHigh; by++)
                {
                    for (var bx = 0; bx < c.BlocksWide; bx++)
                    {
                        if (_restartInterval > 0)
                        {
                            if (restartsLeft == 0)
                            {
                                reader.Restart(nextRestart++, CodecName);
                                restartsLeft = _restartInterval;
                                predictors[0] = 0;
                            }
                            restartsLeft--;
                        }
                        reader.DecodeBlock(dc, ac, ref predictors[0], coefficients, CodecName);
                        if (reader.Overrun)
                        {
                            throw Truncated();
                        }
                        JpegIdct.Transform(coefficients, quant, workspace, plane + (by * 8 * c.Stride + bx * 8), c.Stride, precision);
                    }
                }
            }
        }
        else
        {
            // A.2.3: interleaved MCUs hold Hi x Vi blocks of each scan component in turn.
            for (var my = 0; my < _mcusHigh; my++)
            {
                for (var mx = 0; mx < _mcusWide; mx++)
                {
                    if (_restartInterval > 0)
                    {
                        if (restartsLeft == 0)
                        {
                            reader.Restart(nextRestart++, CodecName);
                            restartsLeft = _restartInterval;
                            for (var i = 0; i < ns; i++)
                            {
                                predictors[i] = 0;
                            }
                        }
                        restartsLeft--;
                    }
                    for (var i = 0; i < ns; i++)
                    {
                        var c = scan[i];
                        fixed (int* quant = c.Quant)
                        fixed (ushort* plane = c.Plane)
                        {
                            for (var v = 0; v < c.V; v++)
                            {
                                var by = my * c.V + v;
                                for (var h = 0; h < c.H; h++)
                                {
                                    var bx = mx * c.H + h;
                                    reader.DecodeBlock(dcTables[i], acTables[i], ref predictors[i], coefficients, CodecName);
                                    // Dummy blocks past the component's edge are decoded but not transformed
                                    // (libjpeg's decompress_onepass skips them too; no output sample uses them).
                                    if (bx < c.BlocksWide && by < c.BlocksHigh)
                                    {
                                        JpegIdct.Transform(coefficients, quant, workspace, plane + (by * 8 * c.Stride + bx * 8), c.Stride, precision);
                                    }
                                }
                            }
                        }
                    }
                    if (reader.Overrun)
                    {
                        throw Truncated();
                    }
                }
            }
        }
        foreach (var c in scan)
        {
            c.Decoded = true;
        }
        return reader.Position;
    }

    private static DicomCodecException Truncated() =>
        new($"{CodecName}: scan data ends early (truncated or corrupt stream)");

    private enum Upsampling
    {
        None,
        /// <summary>jdsample.c h2v1_fancy_upsample: each output is 3/4 of the nearer and 1/4 of the further input,
        /// rounding biases 1 and 2 alternating.</summary>
        FancyH2V1,
        /// <summary>jdsample.c h2v2_fancy_upsample: weights 9/16, 3/16, 3/16, 1/16, biases 8 and 7 alternating.</summary>
        FancyH2V2,
        /// <summary>jdsample.c int_upsample / h2v1_upsample / h2v2_upsample: replication.</summary>
        Replicate,
    }

    /// <summary>Upsamples every component to the frame size as libjpeg's jdsample.c (do_fancy_upsampling = TRUE) and
    /// interleaves them per pixel, little endian, into <paramref name="destination"/>.</summary>
    private void Output(Span<byte> destination)
    {
        var components = _components!;
        var n = components.Length;
        var bps = _format.BytesPerSample;
        var width = _width;
        var modes = new Upsampling[n];
        var rows = new ushort[n][];
        for (var i = 0; i < n; i++)
        {
            var c = components[i];
            int hx = _hMax / c.H, vx = _vMax / c.V;
            // jdsample.c jinit_upsampler: fancy upsampling only when the component is wider than 2 samples.
            modes[i] = (hx, vx) switch
            {
                (1, 1) => Upsampling.None,
                (2, 1) when c.Width > 2 => Upsampling.FancyH2V1,
                (2, 2) when c.Width > 2 => Upsampling.FancyH2V2,
                _ => Upsampling.Replicate,
            };
            rows[i] = new ushort[Math.Max(width, 2 * c.Width) + 8];
        }
        var rowBytes = width * n * bps;
        fixed (byte* dest = destination)
        {
            var sources = stackalloc ushort*[n];
            var handles = new System.Runtime.InteropServices.GCHandle[2 * n];
            try
            {
                var planes = stackalloc ushort*[n];
                var buffers = stackalloc ushort*[n];
                for (var i = 0; i < n; i++)
                {
                    handles[2 * i] = System.Runtime.InteropServices.GCHandle.Alloc(components[i].Plane, System.Runtime.InteropServices.GCHandleType.Pinned);
                    handles[2 * i + 1] = System.Runtime.InteropServices.GCHandle.Alloc(rows[i], System.Runtime.InteropServices.GCHandleType.Pinned);
                    planes[i] = (ushort*)handles[2 * i].AddrOfPinnedObject();
                    buffers[i] = (ushort*)handles[2 * i + 1].AddrOfPinnedObject();
                }
                for (var y = 0; y < _height; y++)
                {
                    for (var i = 0; i < n; i++)
                    {
                        var c = components[i];
                        sources[i] = modes[i] switch
                        {
                            Upsampling.None => planes[i] + (long)y * c.Stride,
                            Upsampling.FancyH2V1 => FancyH2V1(planes[i] + (long)y * c.Stride, c.Width, buffers[i]),
                            Upsampling.FancyH2V2 => FancyH2V2(planes[i], c, y, buffers[i]),
                            _ => Replicate(planes[i] + (long)(y / (_vMax / c.V)) * c.Stride, _hMax / c.H, width, buffers[i]),
                        };
                    }
                    var row = dest + (long)y * rowBytes;
                    if (bps == 1)
                    {
                        if (n == 1)
                        {
                            var s = sources[0];
                            for (var x = 0; x < width; x++)
                            {
                                row[x] = (byte)s[x];
                            }
                        }
                        else if (n == 3)
                        {
                            ushort* s0 = sources[0], s1 = sources[1], s2 = sources[2];
                            for (var x = 0; x < width; x++, row += 3)
                            {
                                row[0] = (byte)s0[x];
                                row[1] = (byte)s1[x];
                                row[2] = (byte)s2[x];
                            }
                        }
                        else
                        {
                            for (var x = 0; x < width; x++)
                            {
                                for (var i = 0; i < n; i++)
                                {
                                    *row++ = (byte)sources[i][x];
                                }
                            }
                        }
                    }
                    else
                    {
                        // Bytes per sample 2: little endian (PS3.5 A.1 / Decode's contract).
                        for (var x = 0; x < width; x++)
                        {
                            for (var i = 0; i < n; i++)
                            {
                                var v = sources[i][x];
                                row[0] = (byte)v;
                                row[1] = (byte)(v >> 8);
                                row += 2;
                            }
                        }
                    }
                }
            }
            finally
            {
                foreach (var h in handles)
                {
                    if (h.IsAllocated)
                    {
                        h.Free();
                    }
                }
            }
        }
    }

    /// <summary>jdsample.c h2v1_fancy_upsample over the component's <paramref name="width"/> real samples; the
    /// edge outputs equal the edge input, which is what the formula gives with the edge sample replicated.</summary>
    private static ushort* FancyH2V1(ushort* input, int width, ushort* output)
    {
        int previous = input[0], current = input[0];
        for (var i = 0; i < width; i++)
        {
            var next = i + 1 < width ? input[i + 1] : current;
            var three = current * 3;
            output[2 * i] = (ushort)((three + previous + 1) >> 2);
            output[2 * i + 1] = (ushort)((three + next + 2) >> 2);
            previous = current;
            current = next;
        }
        return output;
    }

    /// <summary>jdsample.c h2v2_fancy_upsample for output row <paramref name="y"/>: the nearer input row weighs 3,
    /// the further (above for even rows, below for odd) 1; rows past the top and bottom repeat the edge row, as
    /// jdmainct.c's context pointers do. Then the same 3:1 horizontally, with biases 8 and 7.</summary>
    private static ushort* FancyH2V2(ushort* plane, Component c, int y, ushort* output)
    {
        var row = y >> 1;
        var other = (y & 1) == 0 ? Math.Max(row - 1, 0) : Math.Min(row + 1, c.Height - 1);
        var near = plane + (long)row * c.Stride;
        var far = plane + (long)other * c.Stride;
        var width = c.Width;
        var current = near[0] * 3 + far[0];
        var previous = current;
        for (var i = 0; i < width; i++)
        {
            var next = i + 1 < width ? near[i + 1] * 3 + far[i + 1] : current;
            var three = current * 3;
            output[2 * i] = (ushort)((three + previous + 8) >> 4);
            output[2 * i + 1] = (ushort)((three + next + 7) >> 4);
            previous = current;
            current = next;
        }
        return output;
    }

    /// <summary>jdsample.c int_upsample: each input sample repeated <paramref name="factor"/> times.</summary>
    private static ushort* Replicate(ushort* input, int factor, int width, ushort* output)
    {
        if (factor == 1)
        {
            return input;
        }
        for (var x = 0; x < width; x++)
        {
            output[x] = input[x / factor];
        }
        return output;
    }
}
