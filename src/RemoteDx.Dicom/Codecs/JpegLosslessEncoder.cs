namespace RemoteDx.Dicom.Codecs;

/// <summary>Encoder for JPEG Lossless, Non-Hierarchical, First-Order Prediction (PS3.5 A.4.1, transfer syntax
/// 1.2.840.10008.1.2.4.70; also valid for .57): ISO/IEC 10918-1 Annex H, Process 14, one interleaved scan with
/// predictor 1 (Selection Value 1), no point transform, no restart intervals, and one Huffman table per frame built
/// from the frame's own difference categories (Annex K.2). Separate from <see cref="JpegCodec"/>, which serves the
/// lossy syntaxes too and so cannot encode for all of its syntaxes.</summary>
public static class JpegLosslessEncoder
{
    private const string CodecName = "JPEG Lossless encoder";

    /// <summary>H.1.2.2: a difference falls in one of 17 categories (SSSS 0..16).</summary>
    private const int Categories = 17;

    /// <summary>Encodes one frame laid out as <see cref="IPixelCodec.Decode"/> produces it (interleaved samples, little
    /// endian). The sample precision is Bits Stored; signed samples are coded as their low Bits Stored bits, which is
    /// what decoders (ours, DCMTK) sign-extend again. The result has even length, as a fragment must (PS3.5 A.4).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        if (format.BitsAllocated > 16)
        {
            throw new DicomCodecException($"{CodecName}: Bits Allocated {format.BitsAllocated} exceeds JPEG's 16-bit maximum (ISO/IEC 10918-1 B.2.2)");
        }
        if (format.BitsStored < 2)
        {
            throw new DicomCodecException($"{CodecName}: precision {format.BitsStored} is below JPEG lossless' minimum of 2 (B.2.2)");
        }
        if (frame.Length < size)
        {
            throw new DicomCodecException($"{CodecName}: frame holds {frame.Length} bytes, the format needs {size}");
        }
        if (format.Rows > 0xFFFF || format.Columns > 0xFFFF)
        {
            throw new DicomCodecException($"{CodecName}: {format.Columns}x{format.Rows} exceeds JPEG's 65535 limit (B.2.2)");
        }

        var samples = ReadSamples(frame, format);
        var categories = new byte[samples.Length];
        var diffs = new int[samples.Length];
        var histogram = new long[Categories];
        Predict(samples, format, diffs, categories, histogram);

        var (bits, values) = OptimalTable(histogram);
        var (codes, lengths) = GenerateCodes(bits, values);

        var output = new JpegByteWriter(samples.Length + 1024);
        WriteHeaders(output, format, bits, values);
        var writer = new EntropyWriter(output);
        for (var i = 0; i < diffs.Length; i++)
        {
            var ssss = categories[i];
            writer.Put(codes[ssss], lengths[ssss]);
            if (ssss is > 0 and < 16)
            {
                // F.1.2.1.1 via H.1.2.2: a negative difference is sent as its low SSSS bits minus one.
                var d = diffs[i];
                var extra = d > 0 ? d : d - 1;
                writer.Put((uint)extra & ((1u << ssss) - 1), ssss);
            }
        }
        writer.Flush();
        output.Byte(0xFF);
        output.Byte(0xD9); // EOI
        if (output.Length % 2 != 0)
        {
            output.Byte(0x00); // PS3.5 A.4: a fragment has even length, padded with one trailing null
        }
        return output.ToArray();
    }

    /// <summary>The stored samples masked to the precision, as unsigned P-bit integers.</summary>
    private static int[] ReadSamples(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var count = checked((int)(format.PixelsPerFrame * format.SamplesPerPixel));
        var mask = (1 << format.BitsStored) - 1;
        var result = new int[count];
        if (format.BytesPerSample == 1)
        {
            for (var i = 0; i < count; i++)
            {
                result[i] = frame[i] & mask;
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                result[i] = (frame[2 * i] | (frame[2 * i + 1] << 8)) & mask;
            }
        }
        return result;
    }

    /// <summary>H.1.2.1: predictor 1 (Ra, the sample to the left) with the first-row and first-column rules, the
    /// difference taken modulo 2^16 (H.1.2.2), and each difference's category SSSS.</summary>
    private static void Predict(int[] samples, PixelFormat format, int[] diffs, byte[] categories, long[] histogram)
    {
        var width = format.Columns;
        var components = format.SamplesPerPixel;
        var stride = width * components;
        var initial = 1 << (format.BitsStored - 1);
        for (var y = 0; y < format.Rows; y++)
        {
            var row = y * stride;
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < components; c++)
                {
                    var i = row + x * components + c;
                    int prediction;
                    if (x > 0)
                    {
                        prediction = samples[i - components];
                    }
                    else
                    {
                        prediction = y > 0 ? samples[i - stride] : initial;
                    }
                    var d = (short)(ushort)(samples[i] - prediction);
                    int ssss;
                    if (d == short.MinValue)
                    {
                        ssss = 16; // H.1.2.2: difference 32768 has category 16 and no additional bits
                    }
                    else
                    {
                        var magnitude = d < 0 ? -d : d;
                        ssss = magnitude == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)magnitude);
                    }
                    diffs[i] = d;
                    categories[i] = (byte)ssss;
                    histogram[ssss]++;
                }
            }
        }
    }

    /// <summary>K.2: Huffman code sizes from symbol frequencies, with one reserved symbol so that no code is all ones,
    /// limited to 16 bits; returns BITS (count per length 1..16, index 0 unused) and HUFFVAL.</summary>
    private static (int[] Bits, byte[] Values) OptimalTable(long[] histogram)
    {
        const int reserved = Categories;
        var freq = new long[Categories + 1];
        Array.Copy(histogram, freq, Categories);
        freq[reserved] = 1;
        var codeSize = new int[Categories + 1];
        var others = new int[Categories + 1];
        Array.Fill(others, -1);
        while (true)
        {
            // Least frequent symbol (the highest index on a tie, so the reserved symbol goes first), then the next.
            int c1 = -1, c2 = -1;
            var v = long.MaxValue;
            for (var i = 0; i <= Categories; i++)
            {
                if (freq[i] > 0 && freq[i] <= v)
                {
                    v = freq[i];
                    c1 = i;
                }
            }
            v = long.MaxValue;
            for (var i = 0; i <= Categories; i++)
            {
                if (freq[i] > 0 && freq[i] <= v && i != c1)
                {
                    v = freq[i];
                    c2 = i;
                }
            }
            if (c2 < 0)
            {
                break;
            }
            freq[c1] += freq[c2];
            freq[c2] = 0;
            codeSize[c1]++;
            while (others[c1] >= 0)
            {
                c1 = others[c1];
                codeSize[c1]++;
            }
            others[c1] = c2;
            codeSize[c2]++;
            while (others[c2] >= 0)
            {
                c2 = others[c2];
                codeSize[c2]++;
            }
        }

        var bits = new int[33];
        for (var i = 0; i <= Categories; i++)
        {
            if (codeSize[i] > 0)
            {
                bits[codeSize[i]]++;
            }
        }
        // K.2 Figure K.3: move codes longer than 16 bits up the tree.
        for (var i = 32; i > 16; i--)
        {
            while (bits[i] > 0)
            {
                var j = i - 2;
                while (bits[j] == 0)
                {
                    j--;
                }
                bits[i] -= 2;
                bits[i - 1]++;
                bits[j + 1] += 2;
                bits[j]--;
            }
        }
        // Drop the reserved symbol's code (one of the longest).
        var longest = 16;
        while (bits[longest] == 0)
        {
            longest--;
        }
        bits[longest]--;

        var values = new List<byte>();
        for (var length = 1; length <= 32; length++)
        {
            for (var symbol = 0; symbol < Categories; symbol++)
            {
                if (codeSize[symbol] == length)
                {
                    values.Add((byte)symbol);
                }
            }
        }
        return (bits[..17], values.ToArray());
    }

    /// <summary>C.2: canonical codes from BITS and HUFFVAL (code sizes re-derived from BITS, as a decoder does).</summary>
    private static (uint[] Codes, int[] Lengths) GenerateCodes(int[] bits, byte[] values)
    {
        var codes = new uint[Categories];
        var lengths = new int[Categories];
        uint code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            for (var n = 0; n < bits[length]; n++)
            {
                var symbol = values[k++];
                codes[symbol] = code++;
                lengths[symbol] = length;
            }
            code <<= 1;
        }
        return (codes, lengths);
    }

    private static void WriteHeaders(JpegByteWriter o, PixelFormat format, int[] bits, byte[] values)
    {
        var components = format.SamplesPerPixel;
        o.Byte(0xFF);
        o.Byte(0xD8); // SOI

        // B.2.4.2 DHT: class 0 (lossless tables are DC-class), destination 0.
        o.Byte(0xFF);
        o.Byte(0xC4);
        o.Word(2 + 1 + 16 + values.Length);
        o.Byte(0x00);
        for (var i = 1; i <= 16; i++)
        {
            o.Byte((byte)bits[i]);
        }
        foreach (var v in values)
        {
            o.Byte(v);
        }

        // B.2.2 SOF3: precision, lines, samples per line, components (id, H/V = 1/1, Tq = 0).
        o.Byte(0xFF);
        o.Byte(0xC3);
        o.Word(8 + 3 * components);
        o.Byte((byte)format.BitsStored);
        o.Word(format.Rows);
        o.Word(format.Columns);
        o.Byte((byte)components);
        for (var c = 0; c < components; c++)
        {
            o.Byte((byte)(c + 1));
            o.Byte(0x11);
            o.Byte(0x00);
        }

        // B.2.3 SOS: every component in one scan, table 0; Ss = 1 (predictor), Se = 0, Ah/Al = 0 (no point transform).
        o.Byte(0xFF);
        o.Byte(0xDA);
        o.Word(6 + 2 * components);
        o.Byte((byte)components);
        for (var c = 0; c < components; c++)
        {
            o.Byte((byte)(c + 1));
            o.Byte(0x00);
        }
        o.Byte(0x01);
        o.Byte(0x00);
        o.Byte(0x00);
    }

    /// <summary>A growable byte buffer.</summary>
    private sealed class JpegByteWriter(int capacity)
    {
        private byte[] _buffer = new byte[Math.Max(capacity, 64)];

        public int Length { get; private set; }

        public void Byte(byte b)
        {
            if (Length == _buffer.Length)
            {
                Array.Resize(ref _buffer, checked(_buffer.Length * 2));
            }
            _buffer[Length++] = b;
        }

        public void Word(int w)
        {
            Byte((byte)(w >> 8));
            Byte((byte)w);
        }

        public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();
    }

    /// <summary>F.1.2.3 bit output, most significant bit first, with a zero byte stuffed after every 0xFF (B.1.1.5) and
    /// the last byte padded with one bits (F.1.2.3).</summary>
    private sealed class EntropyWriter(JpegByteWriter output)
    {
        private ulong _accumulator;
        private int _count;

        public void Put(uint value, int length)
        {
            _accumulator = (_accumulator << length) | (value & ((1u << length) - 1));
            _count += length;
            while (_count >= 8)
            {
                _count -= 8;
                Emit((byte)(_accumulator >> _count));
            }
        }

        public void Flush()
        {
            if (_count > 0)
            {
                var pad = 8 - _count;
                Put((1u << pad) - 1, pad);
            }
        }

        private void Emit(byte b)
        {
            output.Byte(b);
            if (b == 0xFF)
            {
                output.Byte(0x00);
            }
        }
    }
}
