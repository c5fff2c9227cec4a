namespace RemoteDx.Dicom.IO;

public sealed record DicomWriteOptions
{
    public static DicomWriteOptions Default { get; } = new();

    /// <summary>Write elements that were read as UN back as UN (byte-for-byte round trip) rather than with the
    /// dictionary VR they were re-interpreted as.</summary>
    public bool PreserveUN { get; init; } = true;

    /// <summary>Recompute (0002,0000) File Meta Information Group Length.</summary>
    public bool UpdateMetaGroupLength { get; init; } = true;

    public System.IO.Compression.CompressionLevel DeflateLevel { get; init; } = System.IO.Compression.CompressionLevel.Optimal;
}
