// PS3.4 B.2.3 C-STORE status A7xx "Refused: Out of Resources" (storage)
namespace RemoteDx.Dicom.Network;

/// <summary>The one "storage is full" failure: free space is below the reserve (a transient condition, not a fault of
/// the peer). Answered with A700 Refused: out of resources. Deliberately not an <see cref="IOException"/>: an I/O
/// error is a different status (A701), and a handler that catches I/O errors must not swallow this.</summary>
public sealed class OutOfStorageException : Exception
{
    public OutOfStorageException(string message) : base(message) { }
    public OutOfStorageException(string message, Exception inner) : base(message, inner) { }
}
