namespace RemoteDx.Dicom;

/// <summary>The Image Pixel Module attributes that say how to read pixel data. PS3.3 C.7.6.3.</summary>
public sealed record PixelFormat(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    int BitsAllocated,
    int BitsStored,
    int HighBit,
    int PixelRepresentation,
    int PlanarConfiguration,
    string PhotometricInterpretation,
    int NumberOfFrames)
{
    public bool IsSigned => PixelRepresentation == 1;

    public long PixelsPerFrame => (long)Rows * Columns;

    /// <summary>Bytes one sample takes in decoded (unpacked) form: 1 for 1- and 8-bit, 2 for 16-bit, 4 for 32-bit.</summary>
    public int BytesPerSample => BitsAllocated <= 8 ? 1 : (BitsAllocated + 7) / 8;

    /// <summary>Size of one decoded frame as the `pixels` contract lays it out: interleaved samples, little endian,
    /// 1-bit data one byte per pixel.</summary>
    public long DecodedFrameBytes => PixelsPerFrame * SamplesPerPixel * BytesPerSample;

    /// <summary>Size of one frame in native (uncompressed) pixel data; 1-bit frames are bit-packed and may
    /// start mid-byte. PS3.5 8.1.1.</summary>
    public long NativeFrameBits => PixelsPerFrame * SamplesPerPixel * BitsAllocated;

    public static PixelFormat FromDataset(Dataset ds)
    {
        var rows = Integer(ds, Tag.Rows) ?? throw new DicomFormatException("Rows is missing", tag: Tag.Rows);
        var cols = Integer(ds, Tag.Columns) ?? throw new DicomFormatException("Columns is missing", tag: Tag.Columns);
        var bitsAllocated = Integer(ds, Tag.BitsAllocated) ?? throw new DicomFormatException("Bits Allocated is missing", tag: Tag.BitsAllocated);
        var bitsStored = Integer(ds, Tag.BitsStored) ?? bitsAllocated;
        var fmt = new PixelFormat(
            rows,
            cols,
            Integer(ds, Tag.SamplesPerPixel) ?? 1,
            bitsAllocated,
            bitsStored,
            Integer(ds, Tag.HighBit) ?? bitsStored - 1,
            Integer(ds, Tag.PixelRepresentation) ?? 0,
            Integer(ds, Tag.PlanarConfiguration) ?? 0,
            (ds.GetString(Tag.PhotometricInterpretation) ?? "MONOCHROME2").Trim(),
            Integer(ds, Tag.NumberOfFrames) ?? 1);
        fmt.Validate();
        return fmt;
    }

    /// <summary>The first value as an integer; null when absent or empty (type 2), an error when present but not a
    /// number that fits an int ("abc", "1e300").</summary>
    private static int? Integer(Dataset ds, Tag tag)
    {
        if (ds[tag] is not { } e)
        {
            return null;
        }
        if (e is DicomSequence or DicomFragments)
        {
            throw new DicomFormatException($"{tag} holds a sequence, not a number", tag: tag);
        }
        if (e.Length == 0)
        {
            return null;
        }
        // These attributes hold one short number; reading a huge value as numbers would cost memory for nothing.
        if (e.Length > 256)
        {
            throw new DicomFormatException($"value of {e.Length} bytes is far too long for this attribute", tag: tag);
        }
        if (ds.GetInt(tag) is { } v)
        {
            return v;
        }
        if (VRInfo.IsString(e.VR) && string.IsNullOrWhiteSpace(ds.GetString(tag)))
        {
            return null;
        }
        // Shown escaped and short: the text comes from the file and ends up on a terminal.
        var text = string.Concat((ds.GetString(tag) ?? "").Take(32).Select(c => char.IsControl(c) ? '?' : c));
        throw new DicomFormatException($"value '{text}' is not an integer", tag: tag);
    }

    /// <summary>Rejects values no decoder can honour, before anything is allocated from them.</summary>
    public void Validate()
    {
        if (Rows <= 0 || Columns <= 0)
        {
            throw new DicomFormatException($"image dimensions {Rows}x{Columns} are not positive", tag: Tag.Rows);
        }
        if (BitsAllocated is not (1 or 8 or 16 or 32 or 64))
        {
            throw new DicomFormatException($"Bits Allocated {BitsAllocated} is not 1, 8, 16, 32 or 64", tag: Tag.BitsAllocated);
        }
        if (BitsStored < 1 || BitsStored > BitsAllocated)
        {
            throw new DicomFormatException($"Bits Stored {BitsStored} is outside 1..{BitsAllocated}", tag: Tag.BitsStored);
        }
        if (SamplesPerPixel is not (1 or 3 or 4))
        {
            throw new DicomFormatException($"Samples per Pixel {SamplesPerPixel} is not 1, 3 or 4", tag: Tag.SamplesPerPixel);
        }
        if (NumberOfFrames < 1)
        {
            throw new DicomFormatException($"Number of Frames {NumberOfFrames} is not positive", tag: Tag.NumberOfFrames);
        }
    }
}
