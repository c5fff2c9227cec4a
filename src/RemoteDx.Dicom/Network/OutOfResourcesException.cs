// PS3.4 B.2.3 C-STORE status A7xx "Refused: Out of Resources"
namespace RemoteDx.Dicom.Network;

/// <summary>Thrown by an <see cref="IStoreHandler"/> when memory, a queue or another resource other than storage is
/// exhausted; answered with A700 Refused: out of resources.</summary>
public sealed class OutOfResourcesException : Exception
{
    public OutOfResourcesException(string message) : base(message) { }
    public OutOfResourcesException(string message, Exception inner) : base(message, inner) { }
}
