// PS3.5 A.4: re-encodes native pixel data into an encapsulated lossless transfer syntax, one fragment per frame
namespace RemoteDx.Dicom.Codecs;

/// <summary>Turns a file with native (uncompressed) pixel data into the same dataset in a lossless encapsulated
/// transfer syntax (JPEG-LS Lossless, JPEG 2000 Lossless), with the codec <see cref="CodecRegistry"/> holds for it.
/// Every encoded frame is decoded again and compared with the original stored values; anything that would not come
/// back identical (or that the codec cannot take) is left as it is, with the reason. Used by the relay before it
/// forwards over a slow link.</summary>
public static class LosslessTranscoder
{
    /// <summary>The transfer syntaxes this can produce.</summary>
    public static IReadOnlyList<TransferSyntax> Targets { get; } = [TransferSyntax.JPEGLSLossless, TransferSyntax.JPEG2000Lossless];

    /// <summary>A new file in <paramref name="target"/>, or null with <paramref name="reason"/> when
    /// <paramref name="file"/> stays as it is (already encapsulated, no pixel data, a layout the codec does not take,
    /// or a round trip that was not exact). The new file shares <paramref name="file"/>'s dataset, whose Pixel Data is
    /// replaced: the caller hands the file over.</summary>
    public static DicomFile? TryEncode(DicomFile file, TransferSyntax target, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(target);
        reason = null;
        if (!Targets.Contains(target))
        {
            throw new ArgumentException($"{target.Name} is not a lossless target of {nameof(LosslessTranscoder)}", nameof(target));
        }
        var codec = CodecRegistry.ForTransferSyntax(target) ?? throw new InvalidOperationException($"no codec for {target.Name}");
        if (file.TransferSyntax.IsEncapsulated)
        {
            reason = "already encapsulated";
            return null;
        }
        if (file.Dataset[Tag.PixelData] is null)
        {
            reason = "no pixel data";
            return null;
        }
        PixelFormat format;
        try
        {
            format = PixelFormat.FromDataset(file.Dataset);
        }
        catch (DicomException ex)
        {
            reason = ex.Message;
            return null;
        }
        // Planar Configuration 1 and 1-bit data would need a layout change the encoded dataset would also have to
        // declare; they go as they are.
        if (format.BitsAllocated is not (8 or 16) || format.BitsStored < 2 || format.PlanarConfiguration != 0
            || format.SamplesPerPixel is not (1 or 3) || format.PhotometricInterpretation.StartsWith("YBR", StringComparison.Ordinal))
        {
            reason = $"{format.SamplesPerPixel}x{format.BitsAllocated}-bit {format.PhotometricInterpretation} (planar {format.PlanarConfiguration}) is left as it is";
            return null;
        }
        var fragments = new List<ReadOnlyMemory<byte>>(format.NumberOfFrames);
        try
        {
            var decoded = new byte[format.DecodedFrameBytes];
            for (var f = 0; f < format.NumberOfFrames; f++)
            {
                var original = PixelDataDecoder.DecodeFrame(file.Dataset, file.TransferSyntax, f);
                var encoded = codec.Encode(original, format);
                codec.Decode(encoded, format, decoded);
                if (!decoded.AsSpan().SequenceEqual(original))
                {
                    reason = $"frame {f} did not decode identically from {target.Name}";
                    return null;
                }
                // PS3.5 A.4: each fragment has an even length; a JPEG family stream may take one trailing pad byte.
                fragments.Add(encoded.Length % 2 == 0 ? encoded : [.. encoded, 0]);
            }
        }
        catch (DicomException ex)
        {
            reason = ex.Message;
            return null;
        }
        var ds = file.Dataset;
        ds.Set(new DicomFragments(Tag.PixelData, VR.OB, ReadOnlyMemory<byte>.Empty, fragments));
        var result = new DicomFile(ds, target);
        result.BuildFileMetaInformation();
        return result;
    }
}
