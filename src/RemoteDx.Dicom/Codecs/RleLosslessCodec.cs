using System.Buffers.Binary;

namespace RemoteDx.Dicom.Codecs;

/// <summary>RLE Lossless (PS3.5 Annex G), implemented here: a 64-byte header of segment count and offsets, then one
/// PackBits segment per byte plane of each sample, most significant byte first.</summary>
public sealed class RleLosslessCodec : IPixelCodec
{
    private const string CodecName = "RLE Lossless";

    /// <summary>PS3.5 G.5: the header holds 16 unsigned 32-bit little endian values.</summary>
    private const int HeaderLength = 64;

    /// <summary>PS3.5 G.5: at most 15 segments.</summary>
    private const int MaxSegments = 15;

    public string Name => CodecName;

    public IReadOnlyList<TransferSyntax> TransferSyntaxes { get; } = [TransferSyntax.RLELossless];

    public bool CanEncode => true;

    public void Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        CodecSupport.CheckDestination(destination, size, CodecName);
        destination = destination[..size];

        var bytesPerSample = format.BytesPerSample;
        var samples = format.SamplesPerPixel;
        var expectedSegments = samples * bytesPerSample;
        var pixels = (int)format.PixelsPerFrame;

        if (frame.Length < HeaderLength)
        {
            throw new DicomCodecException($"{CodecName}: frame of {frame.Length} bytes is shorter than the 64-byte header (PS3.5 G.5)");
        }
        var segmentCount = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (segmentCount != expectedSegments)
        {
            throw new DicomCodecException(
                $"{CodecName}: header declares {segmentCount} segments, but {samples} sample(s) of {format.BitsAllocated} bits need {expectedSegments} (PS3.5 G.2)");
        }

        Span<int> offsets = stackalloc int[MaxSegments + 1];
        for (var i = 0; i < segmentCount; i++)
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + 4 * i)..]);
            var previous = i == 0 ? HeaderLength : offsets[i - 1];
            if ((i == 0 && offset != HeaderLength) || offset < previous || offset > (uint)frame.Length)
            {
                throw new DicomCodecException($"{CodecName}: segment {i + 1} offset {offset} is out of order or outside the {frame.Length}-byte frame (PS3.5 G.5)");
            }
            offsets[i] = (int)offset;
        }
        offsets[(int)segmentCount] = frame.Length;

        for (var segment = 0; segment < segmentCount; segment++)
        {
            // PS3.5 G.2: segment order is sample by sample, most significant byte first. Decode's layout is
            // pixel-interleaved little endian, so byte b (0 = MSB) of sample s lands at s*bps + (bps - 1 - b).
            var sample = segment / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
            var start = sample * bytesPerSample + byteInSample;
            var stride = samples * bytesPerSample;
            var data = frame[offsets[segment]..offsets[segment + 1]];
            var written = UnpackBits(data, destination, start, stride, pixels);
            if (written < pixels)
            {
                throw new DicomCodecException($"{CodecName}: segment {segment + 1} decodes to {written} bytes, expected {pixels} (stream truncated or corrupt)");
            }
        }
        CodecSupport.SignExtend(destination, format);
    }

    /// <summary>PackBits decoding (PS3.5 G.3.2): header n in 0..127 copies n+1 literal bytes, -127..-1 repeats the next
    /// byte 1-n times, -128 does nothing. Writes at most <paramref name="count"/> bytes, every
    /// <paramref name="stride"/>-th from <paramref name="start"/>; surplus output (some encoders pad) is ignored.</summary>
    private static int UnpackBits(ReadOnlySpan<byte> data, Span<byte> destination, int start, int stride, int count)
    {
        var produced = 0;
        var pos = 0;
        var at = start;
        while (pos < data.Length && produced < count)
        {
            var n = (sbyte)data[pos++];
            if (n >= 0)
            {
                var run = n + 1;
                if (pos + run > data.Length)
                {
                    throw new DicomCodecException($"{CodecName}: literal run of {run} bytes overruns its segment (stream truncated or corrupt)");
                }
                var take = Math.Min(run, count - produced);
                for (var i = 0; i < take; i++)
                {
                    destination[at] = data[pos + i];
                    at += stride;
                }
                produced += take;
                pos += run;
            }
            else if (n != -128)
            {
                if (pos >= data.Length)
                {
                    throw new DicomCodecException($"{CodecName}: replicate run has no byte to repeat (stream truncated or corrupt)");
                }
                var value = data[pos++];
                var take = Math.Min(1 - n, count - produced);
                for (var i = 0; i < take; i++)
                {
                    destination[at] = value;
                    at += stride;
                }
                produced += take;
            }
        }
        return produced;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        if (frame.Length < size)
        {
            throw new DicomCodecException($"{CodecName}: frame holds {frame.Length} bytes, the format needs {size}");
        }
        var bytesPerSample = format.BytesPerSample;
        var samples = format.SamplesPerPixel;
        var segments = samples * bytesPerSample;
        var stride = segments;
        var columns = format.Columns;

        using var output = new MemoryStream();
        Span<byte> header = stackalloc byte[HeaderLength];
        header.Clear();
        output.Write(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)segments);

        var row = new byte[columns];
        var packed = new byte[2 * columns + 2];
        for (var segment = 0; segment < segments; segment++)
        {
            if (output.Length > uint.MaxValue)
            {
                throw new DicomCodecException($"{CodecName}: encoded frame exceeds 4 GiB");
            }
            BinaryPrimitives.WriteUInt32LittleEndian(header[(4 + 4 * segment)..], (uint)output.Length);
            var sample = segment / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
            var start = sample * bytesPerSample + byteInSample;
            for (var y = 0; y < format.Rows; y++)
            {
                // PS3.5 G.3.1: each row is packed separately so no run crosses a row boundary.
                var rowStart = (long)y * columns * stride + start;
                for (var x = 0; x < columns; x++)
                {
                    row[x] = frame[(int)(rowStart + (long)x * stride)];
                }
                var length = PackBits(row, packed);
                output.Write(packed, 0, length);
            }
            // PS3.5 G.5: each segment has an even length; pad with a zero byte (a no-op literal-free tail).
            if (output.Length % 2 != 0)
            {
                output.WriteByte(0);
            }
        }
        var result = output.ToArray();
        header.CopyTo(result);
        return result;
    }

    /// <summary>PackBits encoding (PS3.5 G.3.1): runs of 3..128 equal bytes become replicate runs, everything else
    /// literal runs of up to 128 bytes (a pair is cheaper inside a literal, so output never exceeds n + n/128 + 1).</summary>
    private static int PackBits(ReadOnlySpan<byte> row, Span<byte> output)
    {
        var o = 0;
        var i = 0;
        while (i < row.Length)
        {
            var run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i])
            {
                run++;
            }
            if (run >= 3)
            {
                output[o++] = (byte)(sbyte)(1 - run);
                output[o++] = row[i];
                i += run;
                continue;
            }
            // Literal: extend until three equal bytes start a run or 128 bytes are collected.
            var literalStart = i;
            var literal = 0;
            while (i < row.Length && literal < 128 && !(i + 2 < row.Length && row[i] == row[i + 1] && row[i] == row[i + 2]))
            {
                i++;
                literal++;
            }
            output[o++] = (byte)(literal - 1);
            row.Slice(literalStart, literal).CopyTo(output[o..]);
            o += literal;
        }
        return o;
    }

    public void SelfTest()
    {
        var format = new PixelFormat(2, 3, 3, 16, 12, 11, 0, 0, "RGB", 1);
        var pixels = new byte[format.DecodedFrameBytes];
        for (var i = 0; i < pixels.Length; i += 2)
        {
            pixels[i] = (byte)(i * 37);
            pixels[i + 1] = (byte)(i % 16 < 8 ? 0x0F : 0x01);
        }
        var decoded = new byte[pixels.Length];
        Decode(Encode(pixels, format), format, decoded);
        if (!decoded.AsSpan().SequenceEqual(pixels))
        {
            throw new DicomCodecException($"{CodecName}: self-test round trip differs");
        }
    }
}
