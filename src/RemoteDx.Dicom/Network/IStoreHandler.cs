// PS3.4 B.2 Storage Service Class (SCP behaviour): the domain's one entry point, called once per C-STORE
using System.Net;

namespace RemoteDx.Dicom.Network;

/// <summary>What the storage service needs from the domain, and nothing else: where to put each incoming data set
/// (<see cref="PrepareStore"/>, when the C-STORE-RQ command set has arrived) and what to answer once the data set is
/// complete (<see cref="StoreAsync"/>). Exceptions from either are mapped to statuses in one place by the server
/// (<see cref="DimseStatusBoundary"/>, listed in docs/conformance.md 1.4).</summary>
public interface IStoreHandler
{
    /// <summary>Called once per C-STORE-RQ, after its command set and before any of its data set: where the server
    /// streams the data set, and whether a Part 10 header (preamble, "DICM", File Meta Information with the calling AE
    /// as Source Application Entity Title, PS3.10 7.1) is written in front of it so that the handler can keep the file
    /// by renaming it.</summary>
    StoreDestination PrepareStore(AssociationInfo association, StoreCommand command);

    /// <summary>Called once per C-STORE-RQ after the whole data set is in the temp file; the returned status is sent to
    /// the peer. Move the file at <see cref="StoreRequest.DatasetPath"/> to keep it (the server deletes it afterwards if
    /// it is still there).</summary>
    ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct);
}

/// <summary>Who is on the other end of an association. <see cref="Clinic"/> is the clinic its allow-list entry maps the
/// calling AE to (null: the calling AE itself, see <see cref="Owner"/>).</summary>
public sealed record AssociationInfo(string Id, string CallingAE, string CalledAE, IPEndPoint Remote, bool Tls, DateTimeOffset Started,
    string? Clinic = null)
{
    /// <summary>The clinic this association acts for (DESIGN.md "Between clinics"): the allow-list entry's clinic, else
    /// the calling AE.</summary>
    public string Owner => string.IsNullOrWhiteSpace(Clinic) ? CallingAE : Clinic.Trim();
}

/// <summary>One C-STORE: the data set in <see cref="TransferSyntax"/> at <see cref="DatasetPath"/>, starting at
/// <see cref="DatasetOffset"/> (after the Part 10 header when <see cref="StoreDestination.WritePart10Header"/> asked
/// for one, else 0). <see cref="Head"/> holds the file's first bytes (up to 64 KiB, usually the whole header), so the
/// handler can parse the header without reading the file back; it is valid only until the handler's StoreAsync returns.</summary>
public sealed record StoreRequest(string SopClassUid, string SopInstanceUid, TransferSyntax TransferSyntax, string DatasetPath,
    long DatasetLength, ushort MessageId, string? MoveOriginatorAE, long DatasetOffset = 0)
{
    public ReadOnlyMemory<byte> Head { get; init; }
}
