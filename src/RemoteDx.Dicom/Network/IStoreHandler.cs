// PS3.4 B.2 Storage Service Class (SCP behaviour): the domain's one entry point, called once per C-STORE
using System.Net;

namespace RemoteDx.Dicom.Network;

/// <summary>Receives each stored instance. Called once per C-STORE-RQ after the whole data set is on disk in a temp
/// file; the returned status is sent to the peer. Move the file at <see cref="StoreRequest.DatasetPath"/> to keep it
/// (the server deletes it afterwards if it is still there). Exceptions are mapped to statuses by the server:
/// <see cref="DicomException"/> → C000, <see cref="OutOfResourcesException"/> → A700, <see cref="IOException"/> →
/// A701, anything else → 0110.</summary>
public interface IStoreHandler
{
    ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct);
}

/// <summary>Optionally implemented by an <see cref="IStoreHandler"/>: bytes the server writes at the start of each temp
/// file before the data set (e.g. a Part 10 preamble and File Meta Information), so the handler can keep the file by
/// renaming it instead of copying it. The request's <see cref="StoreRequest.DatasetOffset"/> says where the data set
/// starts.</summary>
public interface IStoreFilePrefix
{
    ReadOnlyMemory<byte> FilePrefix(AssociationInfo association, string sopClassUid, string sopInstanceUid, TransferSyntax transferSyntax);
}

/// <summary>Who is on the other end of an association.</summary>
public sealed record AssociationInfo(string Id, string CallingAE, string CalledAE, IPEndPoint Remote, bool Tls, DateTimeOffset Started);

/// <summary>One C-STORE: the data set in <see cref="TransferSyntax"/> at <see cref="DatasetPath"/>, starting at
/// <see cref="DatasetOffset"/> (after the handler's <see cref="IStoreFilePrefix"/> bytes, if any).</summary>
public sealed record StoreRequest(string SopClassUid, string SopInstanceUid, TransferSyntax TransferSyntax, string DatasetPath,
    long DatasetLength, ushort MessageId, string? MoveOriginatorAE, long DatasetOffset = 0);
