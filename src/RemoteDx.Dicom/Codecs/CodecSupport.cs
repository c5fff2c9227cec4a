using System.Buffers.Binary;

namespace RemoteDx.Dicom.Codecs;

/// <summary>Checks and post-processing shared by the codecs: every codec validates the declared
/// <see cref="PixelFormat"/> before it touches the stream, and finishes with the same sign handling.</summary>
internal static class CodecSupport
{
    /// <summary>Validates <paramref name="format"/> for a codec and returns the decoded frame size in bytes.
    /// PS3.3 C.7.6.3.1: the decoded frame never exceeds Rows x Columns x Samples x BytesPerSample.</summary>
    public static int CheckFormat(PixelFormat format, string codec)
    {
        ArgumentNullException.ThrowIfNull(format);
        try
        {
            format.Validate();
        }
        catch (DicomFormatException ex)
        {
            throw new DicomCodecException($"{codec}: {ex.Message}", ex);
        }
        if (format.BitsAllocated is not (8 or 16 or 32))
        {
            throw new DicomCodecException($"{codec}: Bits Allocated {format.BitsAllocated} is not supported (8, 16 or 32 only)");
        }
        if (format.SamplesPerPixel is not (1 or 3))
        {
            throw new DicomCodecException($"{codec}: Samples per Pixel {format.SamplesPerPixel} is not supported (1 or 3 only)");
        }
        var size = format.DecodedFrameBytes;
        if (size > Array.MaxLength)
        {
            throw new DicomCodecException($"{codec}: a decoded frame of {size} bytes is too large");
        }
        return (int)size;
    }

    public static void CheckDestination(Span<byte> destination, int size, string codec)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"{codec}: destination holds {destination.Length} bytes, the frame needs {size}", nameof(destination));
        }
    }

    /// <summary>For signed data (PS3.3 C.7.6.3.1.2, Pixel Representation 1) replaces each sample by its stored value
    /// (the low Bits Stored bits) sign-extended to the full sample width; a no-op for unsigned data.</summary>
    public static void SignExtend(Span<byte> samples, PixelFormat format)
    {
        if (!format.IsSigned)
        {
            return;
        }
        var bits = format.BitsStored;
        switch (format.BytesPerSample)
        {
            case 1 when bits < 8:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = (byte)(sbyte)Extend(samples[i], bits);
                }
                break;
            case 2 when bits < 16:
                for (var i = 0; i + 1 < samples.Length; i += 2)
                {
                    var v = BinaryPrimitives.ReadUInt16LittleEndian(samples[i..]);
                    BinaryPrimitives.WriteInt16LittleEndian(samples[i..], (short)Extend(v, bits));
                }
                break;
            case 4 when bits < 32:
                for (var i = 0; i + 3 < samples.Length; i += 4)
                {
                    var v = BinaryPrimitives.ReadUInt32LittleEndian(samples[i..]);
                    BinaryPrimitives.WriteInt32LittleEndian(samples[i..], Extend(v, bits));
                }
                break;
        }
    }

    /// <summary>Two's complement value of the low <paramref name="bits"/> bits of <paramref name="value"/>.</summary>
    public static int Extend(uint value, int bits)
    {
        var shift = 32 - bits;
        return (int)(value << shift) >> shift;
    }

    /// <summary>Writes one decoded sample as Decode's contract lays it out: little endian, BytesPerSample bytes.</summary>
    public static void WriteSample(Span<byte> destination, int byteOffset, int bytesPerSample, int value)
    {
        switch (bytesPerSample)
        {
            case 1:
                destination[byteOffset] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(destination[byteOffset..], (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(destination[byteOffset..], value);
                break;
        }
    }

    /// <summary>Describes a native library failure for <see cref="CodecRegistry.SelfTest"/>.</summary>
    public static DicomCodecException MissingLibrary(string what, string library, string package, Exception ex) =>
        new($"{what} needs {library} (Debian package {package}): {ex.Message}", ex);
}
