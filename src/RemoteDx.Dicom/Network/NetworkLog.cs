// PS3.8 / PS3.7 event logging: source-generated messages, event ids grouped by layer
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>Event ids: the network layer owns 1000-1099 (1000-1009 listener, 1010-1029 association (ACSE/DUL),
/// 1030-1049 DIMSE services, 1050-1069 client); 1100-1199 belong to the ingest service and its host.
/// No patient names or ids are logged; SOP Instance UIDs only at Debug.</summary>
internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on {EndPoint} (TLS: {Tls})")]
    public static partial void ListenerStarted(this ILogger logger, string aeTitle, System.Net.EndPoint endPoint, bool tls);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "DICOM listener on {EndPoint} stopped")]
    public static partial void ListenerStopped(this ILogger logger, System.Net.EndPoint? endPoint);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Accepting connections on {EndPoint} failed")]
    public static partial void AcceptFailed(this ILogger logger, System.Net.EndPoint? endPoint, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Connection {AssociationId} from {Remote} (TLS: {Tls})")]
    public static partial void ConnectionOpened(this ILogger logger, string associationId, System.Net.EndPoint remote, bool tls);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Association accepted: {Accepted} of {Proposed} presentation contexts, peer max PDU {PeerMaxPdu}")]
    public static partial void AssociationAccepted(this ILogger logger, int accepted, int proposed, uint peerMaxPdu);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Association rejected: {Reason}")]
    public static partial void AssociationRejected(this ILogger logger, string reason);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Association ended: {Outcome}; {Instances} instances, {Bytes} bytes in {Duration}")]
    public static partial void AssociationEnded(this ILogger logger, string outcome, int instances, long bytes, TimeSpan duration);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "TLS handshake with {Remote} failed: {Message}")]
    public static partial void TlsFailed(this ILogger logger, System.Net.EndPoint remote, string message);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "Association observer failed")]
    public static partial void ObserverFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Error, Message = "Association {AssociationId} failed unexpectedly")]
    public static partial void AssociationFailed(this ILogger logger, string associationId, Exception exception);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Debug, Message = "Connection {AssociationId} from {Peer} closed before its A-ASSOCIATE-RQ: {Reason}")]
    public static partial void PendingConnectionClosed(this ILogger logger, string associationId, string peer, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "RequireClientCertificate is set and AllowPlainWithClientCertificates too: the plain DICOM port {EndPoint} accepts senders without a certificate")]
    public static partial void PlainPortWithClientCertificates(this ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "C-ECHO message {MessageId}")]
    public static partial void Echo(this ILogger logger, ushort messageId);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Debug, Message = "C-STORE message {MessageId} {SopClassUid} {SopInstanceUid} ({Bytes} bytes): {Status}")]
    public static partial void Stored(this ILogger logger, ushort messageId, string sopClassUid, string sopInstanceUid, long bytes, string status);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "C-STORE message {MessageId} answered {Status}")]
    public static partial void StoreFailed(this ILogger logger, ushort messageId, string status, Exception? exception);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Debug, Message = "Association to {Host}:{Port} as {CallingAE} -> {CalledAE} accepted, {Accepted} contexts")]
    public static partial void ClientAssociated(this ILogger logger, string host, int port, string callingAE, string calledAE, int accepted);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Draining: new associations are rejected; {Open} open may finish within {Seconds} s")]
    public static partial void Draining(this ILogger logger, int open, double seconds);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Drain deadline: aborting {Open} associations still open")]
    public static partial void DrainAborting(this ILogger logger, int open);
}
