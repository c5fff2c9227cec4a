// PS3.7 9.1.1.1 C-STORE-RQ parameters the storage service passes to its handler
namespace RemoteDx.Dicom.Network;

/// <summary>A C-STORE-RQ whose command set has arrived (its data set follows): Affected SOP Class and Instance UIDs,
/// the presentation context's transfer syntax, the Message ID and the Move Originator AE, if any.</summary>
public sealed record StoreCommand(string SopClassUid, string SopInstanceUid, TransferSyntax TransferSyntax, ushort MessageId,
    string? MoveOriginatorAE);
