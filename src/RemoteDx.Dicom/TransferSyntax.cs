namespace RemoteDx.Dicom;

/// <summary>A transfer syntax: how a dataset is encoded. PS3.5 10, PS3.6 Annex A.</summary>
public sealed record TransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsBigEndian, bool IsDeflated,
    bool IsEncapsulated, bool IsLossy = false, bool IsRetired = false)
{
    public static readonly TransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false);
    public static readonly TransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false);
    public static readonly TransferSyntax EncapsulatedUncompressedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", true, false, false, true);
    public static readonly TransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false);
    public static readonly TransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false, IsRetired: true);
    public static readonly TransferSyntax JPEGBaseline8Bit = new("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, false, false, true, IsLossy: true);
    public static readonly TransferSyntax JPEGExtended12Bit = new("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, false, false, true, IsLossy: true);
    public static readonly TransferSyntax JPEGLossless = new("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true, false, false, true);
    public static readonly TransferSyntax JPEGLosslessSV1 = new("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])", true, false, false, true);
    public static readonly TransferSyntax JPEGLSLossless = new("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", true, false, false, true);
    public static readonly TransferSyntax JPEGLSNearLossless = new("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", true, false, false, true, IsLossy: true);
    public static readonly TransferSyntax JPEG2000Lossless = new("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", true, false, false, true);
    public static readonly TransferSyntax JPEG2000 = new("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", true, false, false, true, IsLossy: true);
    public static readonly TransferSyntax HTJ2KLossless = new("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", true, false, false, true);
    public static readonly TransferSyntax HTJ2KLosslessRPCL = new("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)", true, false, false, true);
    public static readonly TransferSyntax HTJ2K = new("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", true, false, false, true, IsLossy: true);
    public static readonly TransferSyntax RLELossless = new("1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, true);

    public static IReadOnlyList<TransferSyntax> Known { get; } =
    [
        ImplicitVRLittleEndian, ExplicitVRLittleEndian, EncapsulatedUncompressedExplicitVRLittleEndian,
        DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, JPEGBaseline8Bit, JPEGExtended12Bit, JPEGLossless,
        JPEGLosslessSV1, JPEGLSLossless, JPEGLSNearLossless, JPEG2000Lossless, JPEG2000, HTJ2KLossless,
        HTJ2KLosslessRPCL, HTJ2K, RLELossless,
    ];

    private static readonly Dictionary<string, TransferSyntax> ByUid = Known.ToDictionary(t => t.Uid, StringComparer.Ordinal);

    /// <summary>Known syntax for a UID, or an unknown one treated as explicit VR LE encapsulated (PS3.5 A.4: all
    /// compressed syntaxes use explicit VR little endian).</summary>
    public static TransferSyntax Lookup(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        return ByUid.TryGetValue(uid, out var ts) ? ts : new TransferSyntax(uid, "Unknown (" + uid + ")", true, false, false, true);
    }

    public bool IsKnown => ByUid.ContainsKey(Uid);

    public override string ToString() => $"{Name} [{Uid}]";
}
