namespace RemoteDx.Dicom;

/// <summary>Transfer Syntax UID (0002,0010) names a syntax this implementation does not know (PS3.5 10, PS3.6 Annex
/// A): neither how its data set is encoded nor how its pixel data is compressed can be trusted, so nothing is guessed
/// from it.</summary>
public sealed class DicomTransferSyntaxException : DicomException
{
    public DicomTransferSyntaxException(string uid, string detail, Exception? inner = null)
        : base($"unknown Transfer Syntax UID '{Printable(uid)}' in {Dicom.Tag.TransferSyntaxUID}: {detail}", inner ?? new InvalidOperationException(detail))
    {
        Uid = uid;
    }

    /// <summary>The UID as the file gives it.</summary>
    public string Uid { get; }

    /// <summary>Always Transfer Syntax UID (0002,0010), for callers that report the tag of every format error.</summary>
    public Tag Tag => Tag.TransferSyntaxUID;

    // The UID comes from the file and ends up on a terminal: short, no control characters.
    private static string Printable(string uid) =>
        string.Concat(uid.Take(64).Select(c => char.IsControl(c) ? '?' : c)) + (uid.Length > 64 ? "..." : "");
}
