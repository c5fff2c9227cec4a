// PS3.7 C (status classes) and PS3.4 B.2.3 (C-STORE statuses): where exceptions become DIMSE statuses
namespace RemoteDx.Dicom.Network;

/// <summary>The one place where an exception raised while serving a request becomes the status sent to the peer
/// (docs/conformance.md 1.4). Comments carry the exception type or our own short text, never data set values.</summary>
internal static class DimseStatusBoundary
{
    /// <summary>PS3.7 C.4 / PS3.4 B.2.3, most specific first: out of storage (the reserve, or a write that found the disk
    /// full) and out of resources (e.g. the database unavailable) → A700; another I/O error → A701 (unable to store); a
    /// data set or command we cannot parse → C000; anything else → 0110.</summary>
    public static DimseStatus ToStatus(Exception exception) => exception switch
    {
        OutOfStorageException ex => DimseStatus.OutOfResources.WithComment(Short("out of storage: " + ex.Message)),
        OutOfResourcesException ex => DimseStatus.OutOfResources.WithComment(Short("out of resources: " + ex.Message)),
        IOException ex when IsDiskFull(ex) => DimseStatus.OutOfResources.WithComment("out of storage: disk full"),
        DicomException ex => DimseStatus.CannotUnderstand.WithComment(Short("cannot understand: " + ex.Message)),
        IOException or UnauthorizedAccessException => DimseStatus.OutOfResourcesUnableToStore.WithComment("unable to store: " + exception.GetType().Name),
        _ => DimseStatus.ProcessingFailure.WithComment("processing failure: " + exception.GetType().Name),
    };

    // ENOSPC (28) and EDQUOT (122) on Linux, where IOException.HResult is the errno; ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL
    // on Windows. A full disk is a resource to wait for, not a fault of the data: the sender should retry later.
    internal static bool IsDiskFull(IOException ex) => ex.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027);

    // (0000,0902) Error Comment is LO: at most 64 characters (PS3.5 6.2).
    private static string Short(string s) => s.Length <= 64 ? s : s[..64];
}
