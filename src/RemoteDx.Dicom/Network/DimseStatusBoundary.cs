// PS3.7 C (status classes) and PS3.4 B.2.3 (C-STORE statuses): where exceptions become DIMSE statuses
namespace RemoteDx.Dicom.Network;

/// <summary>The one place where an exception raised while serving a request becomes the status sent to the peer
/// (docs/conformance.md 1.4). Comments carry the exception type or our own short text, never data set values.</summary>
internal static class DimseStatusBoundary
{
    /// <summary>PS3.7 C.4 / PS3.4 B.2.3, most specific first: out of storage and out of resources → A700; an I/O
    /// error → A701 (unable to store); a data set or command we cannot parse → C000; anything else → 0110.</summary>
    public static DimseStatus ToStatus(Exception exception) => exception switch
    {
        OutOfStorageException ex => DimseStatus.OutOfResources.WithComment(Short("out of storage: " + ex.Message)),
        OutOfResourcesException ex => DimseStatus.OutOfResources.WithComment(Short("out of resources: " + ex.Message)),
        DicomException ex => DimseStatus.CannotUnderstand.WithComment(Short("cannot understand: " + ex.Message)),
        IOException or UnauthorizedAccessException => DimseStatus.OutOfResourcesUnableToStore.WithComment("unable to store: " + exception.GetType().Name),
        _ => DimseStatus.ProcessingFailure.WithComment("processing failure: " + exception.GetType().Name),
    };

    // (0000,0902) Error Comment is LO: at most 64 characters (PS3.5 6.2).
    private static string Short(string s) => s.Length <= 64 ? s : s[..64];
}
