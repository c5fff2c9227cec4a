namespace RemoteDx.Dicom.Codecs;

public sealed record CodecStatus(TransferSyntax Syntax, string Codec, bool Available, string? Error);

/// <summary>STUB — replaced by the codecs branch.</summary>
public static class CodecRegistry
{
    public static IPixelCodec? ForTransferSyntax(TransferSyntax ts) => null;

    public static IReadOnlyList<CodecStatus> SelfTest() => [];
}
