namespace RemoteDx.Dicom.Network;

/// <summary>Asks <see cref="StoreSender"/> to also propose <paramref name="Syntax"/> for every file with native pixel
/// data and, where the peer accepts it for the file's SOP class, to send what <paramref name="Encode"/> makes of the
/// file instead (null: send the file as it is). The network layer never touches pixels itself; the encoder comes from
/// the caller (the relay passes <c>Codecs.LosslessTranscoder</c>).</summary>
public sealed record StoreCompression(TransferSyntax Syntax, Func<string, DicomFile?> Encode);
