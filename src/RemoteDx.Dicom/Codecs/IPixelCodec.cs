namespace RemoteDx.Dicom.Codecs;

/// <summary>Decodes (and optionally encodes) the frames of one family of encapsulated transfer syntaxes.</summary>
public interface IPixelCodec
{
    string Name { get; }

    IReadOnlyList<TransferSyntax> TransferSyntaxes { get; }

    bool CanEncode { get; }

    /// <summary>Decodes one compressed frame into <paramref name="destination"/> (length
    /// <see cref="PixelFormat.DecodedFrameBytes"/>): stored values, samples interleaved per pixel, little endian,
    /// BytesPerSample bytes each; no colour-space conversion. Throws <see cref="DicomCodecException"/> on a corrupt
    /// stream or one whose header disagrees with <paramref name="format"/>.</summary>
    void Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination);

    /// <summary>Encodes one decoded frame (layout as <see cref="Decode"/> produces).</summary>
    byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format);

    /// <summary>Proves the codec works here (native library loads, a tiny image round-trips). Throws
    /// <see cref="DicomCodecException"/> naming the missing Debian package otherwise.</summary>
    void SelfTest();
}
