using System.Buffers.Binary;
using RemoteDx.Dicom.Codecs;

namespace RemoteDx.Dicom;

/// <summary>Extracts and decodes frames of (7FE0,0010) into stored values laid out as the `pixels` contract says:
/// samples interleaved per pixel, little endian, 1-bit data one byte per pixel, signed values sign-extended.</summary>
public static class PixelDataDecoder
{
    /// <summary>Default cap on one decoded frame (bytes); absurd dimensions fail before allocation.</summary>
    public const long DefaultMaxFrameBytes = 1L << 30;

    public static byte[] DecodeFrame(DicomFile file, int frame, long maxFrameBytes = DefaultMaxFrameBytes) =>
        DecodeFrame(file.Dataset, file.TransferSyntax, frame, maxFrameBytes);

    /// <summary>How many frames can be decoded: Number of Frames, or fewer when native pixel data is too short.</summary>
    public static FrameCount CountFrames(DicomFile file) => CountFrames(file.Dataset, file.TransferSyntax);

    /// <inheritdoc cref="CountFrames(DicomFile)"/>
    public static FrameCount CountFrames(Dataset ds, TransferSyntax syntax)
    {
        var element = ds[Tag.PixelData] ?? throw new DicomFormatException("dataset has no Pixel Data", tag: Tag.PixelData);
        RequireKnown(syntax);
        return CountFrames(element, PixelFormat.FromDataset(ds));
    }

    private static FrameCount CountFrames(DicomElement element, PixelFormat format)
    {
        if (element is DicomFragments)
        {
            // Encapsulated frames are found from the fragments (FrameFragments), which say so when one is missing.
            return new FrameCount(format.NumberOfFrames, format.NumberOfFrames, element.Length, 0);
        }
        long available;
        long frameBytes;
        if (format.BitsAllocated == 1)
        {
            // PS3.5 8.1.1: 1-bit frames are packed back to back and may start mid-byte.
            available = element.Length * 8 / format.NativeFrameBits;
            frameBytes = (format.NativeFrameBits + 7) / 8;
        }
        else
        {
            frameBytes = IsNativeYbrFull422(format) ? format.PixelsPerFrame * 2 * format.BytesPerSample : format.DecodedFrameBytes;
            available = element.Length / frameBytes;
        }
        return new FrameCount(format.NumberOfFrames, (int)Math.Min(format.NumberOfFrames, available), element.Length, frameBytes);
    }

    public static byte[] DecodeFrame(Dataset ds, TransferSyntax syntax, int frame, long maxFrameBytes = DefaultMaxFrameBytes)
    {
        var format = Check(ds, syntax, frame, maxFrameBytes, out _);
        // Every byte is written by the decode (copy, unpack, expand or codec), so the array need not be zeroed first.
        var result = GC.AllocateUninitializedArray<byte>((int)format.DecodedFrameBytes);
        DecodeFrame(ds, syntax, frame, result, maxFrameBytes);
        return result;
    }

    /// <summary>Decodes <paramref name="frame"/> into <paramref name="destination"/> (at least
    /// <see cref="PixelFormat.DecodedFrameBytes"/> long; that many bytes are written) and returns the frame's format:
    /// the same bytes as <see cref="DecodeFrame(Dataset, TransferSyntax, int, long)"/>, without an array of its own.
    /// Native frames are read from the file (lazily read pixel data) or the value straight into the destination and
    /// masked there; <paramref name="normalize"/> false leaves the masking or sign extension to the caller
    /// (<see cref="NormalizeStoredValues"/>), who may fuse it with a pass of its own.</summary>
    public static PixelFormat DecodeFrame(Dataset ds, TransferSyntax syntax, int frame, Span<byte> destination,
        long maxFrameBytes = DefaultMaxFrameBytes, bool normalize = true)
    {
        var format = Check(ds, syntax, frame, maxFrameBytes, out var element);
        if (destination.Length < format.DecodedFrameBytes)
        {
            throw new ArgumentException($"destination of {destination.Length} bytes is shorter than the frame's {format.DecodedFrameBytes}", nameof(destination));
        }
        var result = destination[..(int)format.DecodedFrameBytes];
        if (element is DicomFragments fragments)
        {
            // The fragment structure is checked first, so a broken file says so even where no codec is installed.
            var data = FrameFragments.Extract(ds, fragments, format.NumberOfFrames, frame);
            var codec = CodecRegistry.ForTransferSyntax(syntax)
                ?? throw new DicomCodecException($"no decoder for transfer syntax {syntax} (Pixel Data {Tag.PixelData})");
            // A codec may leave bytes of a short or damaged stream unwritten: those read as 0, as in a fresh array.
            result.Clear();
            codec.Decode(data, format, result);
        }
        else
        {
            if (syntax.IsEncapsulated && syntax != TransferSyntax.EncapsulatedUncompressedExplicitVRLittleEndian)
            {
                throw new DicomFormatException($"transfer syntax {syntax.Name} needs encapsulated pixel data but it is native", tag: Tag.PixelData);
            }
            DecodeNative(element, format, frame, result);
        }
        if (normalize)
        {
            NormalizeStoredValues(result, format);
        }
        return format;
    }

    /// <summary>The checks made before anything is allocated or read: the dimensions are whatever the file says.</summary>
    private static PixelFormat Check(Dataset ds, TransferSyntax syntax, int frame, long maxFrameBytes, out DicomElement element)
    {
        element = ds[Tag.PixelData] ?? throw new DicomFormatException("dataset has no Pixel Data", tag: Tag.PixelData);
        RequireKnown(syntax);
        var format = PixelFormat.FromDataset(ds);
        if (frame < 0 || frame >= format.NumberOfFrames)
        {
            throw new DicomException($"frame {frame} is outside 0..{format.NumberOfFrames - 1} (Number of Frames {Tag.NumberOfFrames} is {format.NumberOfFrames})");
        }
        var limit = Math.Min(maxFrameBytes, Array.MaxLength);
        if (format.DecodedFrameBytes > limit)
        {
            throw new DicomLimitException($"a decoded frame of {format.Rows}x{format.Columns}x{format.SamplesPerPixel} at {format.BitsAllocated} bits ({format.DecodedFrameBytes} bytes) exceeds the limit of {limit} bytes for Pixel Data {Tag.PixelData}");
        }
        var count = CountFrames(element, format);
        if (frame >= count.Available)
        {
            // Native data shorter than Number of Frames promises: the missing frames are not invented from what follows.
            throw new DicomFormatException($"frame {frame} is not in the pixel data: Number of Frames {Tag.NumberOfFrames} is {count.Declared} "
                + $"but Pixel Data holds {count.PixelDataLength} bytes, enough for {count.Available} frame(s) of {count.FrameBytes} bytes", tag: Tag.PixelData);
        }
        return format;
    }

    /// <summary>An unknown syntax could be compressed in any way; its pixel data is never passed off as native.</summary>
    private static void RequireKnown(TransferSyntax syntax)
    {
        if (!syntax.IsKnown)
        {
            throw new DicomTransferSyntaxException(syntax.Uid, "its pixel data cannot be decoded (PS3.5 10)");
        }
    }

    /// <summary>Native frames lie at fixed offsets: only the frame's own bytes are read (from the file, for lazily
    /// read pixel data), never the whole value; the common layout (one sample per pixel, or interleaved samples) is read
    /// straight into <paramref name="result"/>.</summary>
    private static void DecodeNative(DicomElement element, PixelFormat f, int frame, Span<byte> result)
    {
        if (f.BitsAllocated == 1)
        {
            var bitsPerFrame = f.NativeFrameBits;
            var startBit = bitsPerFrame * frame;
            var firstByte = startBit >> 3;
            var endByte = (startBit + bitsPerFrame + 7) / 8;
            if (endByte > element.Length)
            {
                throw new DicomFormatException($"pixel data holds {element.Length} bytes, frame {frame} needs {endByte}", tag: Tag.PixelData);
            }
            var bits = element.ReadRange(firstByte, (int)(endByte - firstByte)).Span;
            // PS3.5 8.1.1: bits packed from the least significant bit; frames need not start on a byte.
            var bit0 = startBit & 7;
            for (long i = 0; i < result.Length; i++)
            {
                var bit = bit0 + i;
                result[(int)i] = (byte)((bits[(int)(bit >> 3)] >> (int)(bit & 7)) & 1);
            }
            return;
        }
        if (IsNativeYbrFull422(f))
        {
            DecodeNativeYbrFull422(element, f, frame, result);
            return;
        }
        var frameBytes = f.DecodedFrameBytes;
        var start = frameBytes * frame;
        if (start + frameBytes > element.Length)
        {
            throw new DicomFormatException($"pixel data holds {element.Length} bytes, frame {frame} needs bytes {start}..{start + frameBytes}", tag: Tag.PixelData);
        }
        if (f.SamplesPerPixel > 1 && f.PlanarConfiguration == 1)
        {
            var src = element.ReadRange(start, (int)frameBytes).Span;
            var bps = f.BytesPerSample;
            var pixels = (int)f.PixelsPerFrame;
            var spp = f.SamplesPerPixel;
            for (var s = 0; s < spp; s++)
            {
                var plane = src.Slice(s * pixels * bps, pixels * bps);
                for (var p = 0; p < pixels; p++)
                {
                    plane.Slice(p * bps, bps).CopyTo(result.Slice((p * spp + s) * bps, bps));
                }
            }
            return;
        }
        element.ReadRange(start, result);
    }

    // PS3.3 C.7.6.3.1.2: native YBR_FULL_422 keeps one Cb and Cr for each horizontal pair of pixels.
    private static bool IsNativeYbrFull422(PixelFormat f) =>
        f.PhotometricInterpretation == "YBR_FULL_422" && f.SamplesPerPixel == 3 && (f.BitsAllocated is 8 or 16) && f.Columns % 2 == 0;

    /// <summary>Expands Y1 Y2 Cb Cr (per pair of pixels, PS3.3 C.7.6.3.1.2) to Y Cb Cr for every pixel, as the
    /// `pixels` contract lays out 4:2:2 data.</summary>
    private static void DecodeNativeYbrFull422(DicomElement element, PixelFormat f, int frame, Span<byte> result)
    {
        var bps = f.BytesPerSample;
        var frameBytes = f.PixelsPerFrame * 2 * bps;
        var start = frameBytes * frame;
        if (start + frameBytes > element.Length)
        {
            throw new DicomFormatException($"pixel data holds {element.Length} bytes, YBR_FULL_422 frame {frame} needs bytes {start}..{start + frameBytes}", tag: Tag.PixelData);
        }
        var src = element.ReadRange(start, (int)frameBytes).Span;
        var pairs = (int)(f.PixelsPerFrame / 2);
        for (var p = 0; p < pairs; p++)
        {
            var s = src.Slice(p * 4 * bps, 4 * bps);
            var d = result.Slice(p * 6 * bps, 6 * bps);
            var y1 = s[..bps];
            var y2 = s.Slice(bps, bps);
            var chroma = s.Slice(2 * bps, 2 * bps);
            y1.CopyTo(d);
            chroma.CopyTo(d[bps..]);
            y2.CopyTo(d[(3 * bps)..]);
            chroma.CopyTo(d[(4 * bps)..]);
        }
    }

    /// <summary>Masks unused high bits of unsigned samples and sign-extends signed ones from Bits Stored.</summary>
    public static void NormalizeStoredValues(Span<byte> data, PixelFormat f)
    {
        if (f.BitsStored >= f.BitsAllocated || f.BitsAllocated == 1)
        {
            return;
        }
        var bits = f.BitsStored;
        switch (f.BytesPerSample)
        {
            case 1:
            {
                var shift = 8 - bits;
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = f.IsSigned ? (byte)((sbyte)(data[i] << shift) >> shift) : (byte)(data[i] & ((1 << bits) - 1));
                }
                break;
            }
            case 2:
            {
                var shift = 16 - bits;
                var mask = (ushort)((1 << bits) - 1);
                var start = BitConverter.IsLittleEndian ? NormalizeVectorized(data, f.IsSigned, shift, mask) : 0;
                for (var i = start; i + 1 < data.Length; i += 2)
                {
                    var v = BinaryPrimitives.ReadUInt16LittleEndian(data[i..]);
                    var n = f.IsSigned ? (ushort)((short)(v << shift) >> shift) : (ushort)(v & mask);
                    BinaryPrimitives.WriteUInt16LittleEndian(data[i..], n);
                }
                break;
            }
            case 4:
            {
                var shift = 32 - bits;
                var mask = (uint)((1L << bits) - 1);
                for (var i = 0; i + 3 < data.Length; i += 4)
                {
                    var v = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
                    var n = f.IsSigned ? (uint)((int)(v << shift) >> shift) : v & mask;
                    BinaryPrimitives.WriteUInt32LittleEndian(data[i..], n);
                }
                break;
            }
        }
    }

    /// <summary>The 16-bit case on whole vectors (little-endian hosts: samples are native shorts); returns the byte
    /// offset where the scalar loop takes over.</summary>
    private static int NormalizeVectorized(Span<byte> data, bool signed, int shift, ushort mask)
    {
        var count = data.Length / 2;
        var width = System.Numerics.Vector<ushort>.Count;
        var whole = count - count % width;
        if (signed)
        {
            var s16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(data);
            for (var i = 0; i < whole; i += width)
            {
                var v = new System.Numerics.Vector<short>(s16[i..]);
                System.Numerics.Vector.ShiftRightArithmetic(System.Numerics.Vector.ShiftLeft(v, shift), shift).CopyTo(s16[i..]);
            }
        }
        else
        {
            var u16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(data);
            var m = new System.Numerics.Vector<ushort>(mask);
            for (var i = 0; i < whole; i += width)
            {
                (new System.Numerics.Vector<ushort>(u16[i..]) & m).CopyTo(u16[i..]);
            }
        }
        return whole * 2;
    }
}
