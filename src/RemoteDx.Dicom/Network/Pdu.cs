// PS3.8 9.3 DICOM upper layer protocol data units: the seven PDU types
using System.Buffers;

namespace RemoteDx.Dicom.Network;

/// <summary>PS3.8 Table 9-1 PDU types.</summary>
public enum PduType : byte
{
    AssociateRq = 0x01,
    AssociateAc = 0x02,
    AssociateRj = 0x03,
    PDataTf = 0x04,
    ReleaseRq = 0x05,
    ReleaseRp = 0x06,
    Abort = 0x07,
}

/// <summary>PS3.8 9.3.4 A-ASSOCIATE-RJ result.</summary>
public enum RejectResult : byte
{
    RejectedPermanent = 1,
    RejectedTransient = 2,
}

/// <summary>PS3.8 9.3.4 A-ASSOCIATE-RJ source.</summary>
public enum RejectSource : byte
{
    ServiceUser = 1,
    ServiceProviderAcse = 2,
    ServiceProviderPresentation = 3,
}

/// <summary>PS3.8 9.3.4 A-ASSOCIATE-RJ reason/diag values (their meaning depends on the source).</summary>
public static class RejectReason
{
    // Source 1, service-user.
    public const byte NoReasonGiven = 1;
    public const byte ApplicationContextNameNotSupported = 2;
    public const byte CallingAeNotRecognized = 3;
    public const byte CalledAeNotRecognized = 7;

    // Source 2, service-provider (ACSE related function).
    public const byte ProtocolVersionNotSupported = 2;

    // Source 3, service-provider (presentation related function).
    public const byte TemporaryCongestion = 1;
    public const byte LocalLimitExceeded = 2;
}

/// <summary>PS3.8 9.3.8 A-ABORT source.</summary>
public enum AbortSource : byte
{
    ServiceUser = 0,
    Reserved = 1,
    ServiceProvider = 2,
}

/// <summary>PS3.8 9.3.8 A-ABORT reason/diag (meaningful when the source is the service-provider).</summary>
public static class AbortReason
{
    public const byte NotSpecified = 0;
    public const byte UnrecognizedPdu = 1;
    public const byte UnexpectedPdu = 2;
    public const byte UnrecognizedPduParameter = 4;
    public const byte UnexpectedPduParameter = 5;
    public const byte InvalidPduParameterValue = 6;
}

/// <summary>A PDU. P-DATA-TF values own a pooled buffer and must be disposed.</summary>
public abstract record Pdu
{
    public abstract PduType Type { get; }
}

/// <summary>PS3.8 9.3.2 A-ASSOCIATE-RQ.</summary>
public sealed record AAssociateRq(ushort ProtocolVersion, string CalledAE, string CallingAE, string ApplicationContextName,
    IReadOnlyList<PresentationContextItem> PresentationContexts, UserInformation UserInformation) : Pdu
{
    public override PduType Type => PduType.AssociateRq;
}

/// <summary>PS3.8 9.3.3 A-ASSOCIATE-AC.</summary>
public sealed record AAssociateAc(ushort ProtocolVersion, string CalledAE, string CallingAE, string ApplicationContextName,
    IReadOnlyList<PresentationContextResultItem> PresentationContexts, UserInformation UserInformation) : Pdu
{
    public override PduType Type => PduType.AssociateAc;
}

/// <summary>PS3.8 9.3.4 A-ASSOCIATE-RJ.</summary>
public sealed record AAssociateRj(RejectResult Result, RejectSource Source, byte Reason) : Pdu
{
    public override PduType Type => PduType.AssociateRj;
}

/// <summary>PS3.8 9.3.6 A-RELEASE-RQ.</summary>
public sealed record AReleaseRq : Pdu
{
    public override PduType Type => PduType.ReleaseRq;
}

/// <summary>PS3.8 9.3.7 A-RELEASE-RP.</summary>
public sealed record AReleaseRp : Pdu
{
    public override PduType Type => PduType.ReleaseRp;
}

/// <summary>PS3.8 9.3.8 A-ABORT.</summary>
public sealed record AAbort(AbortSource Source, byte Reason) : Pdu
{
    public override PduType Type => PduType.Abort;
}

/// <summary>PS3.8 9.3.5.1 one presentation data value: context ID, message control header and a fragment.</summary>
public readonly record struct Pdv(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data)
{
    /// <summary>PS3.8 E.2 message control header: bit 0 command (1) / dataset (0), bit 1 last fragment.</summary>
    public byte MessageControlHeader => (byte)((IsCommand ? 1 : 0) | (IsLast ? 2 : 0));
}

/// <summary>PS3.8 9.3.5 P-DATA-TF. The PDVs point into a buffer rented from <see cref="ArrayPool{T}"/>; dispose the
/// PDU once its PDVs are consumed.</summary>
public sealed record PDataTf : Pdu, IDisposable
{
    private byte[]? _rented;

    public PDataTf(IReadOnlyList<Pdv> pdvs, byte[]? rented = null)
    {
        Pdvs = pdvs;
        _rented = rented;
    }

    public override PduType Type => PduType.PDataTf;

    public IReadOnlyList<Pdv> Pdvs { get; }

    public void Dispose()
    {
        var r = Interlocked.Exchange(ref _rented, null);
        if (r is not null)
        {
            ArrayPool<byte>.Shared.Return(r);
        }
    }
}

/// <summary>A PDU that breaks PS3.8: the association is aborted with <see cref="AbortReason"/>.</summary>
public sealed class DicomPduException : DicomException
{
    public DicomPduException(string message, byte abortReason) : base(message) => AbortReason = abortReason;

    public byte AbortReason { get; }
}

/// <summary>A network failure: the peer aborted, rejected the association, timed out or broke the protocol.</summary>
public class DicomNetworkException : DicomException
{
    public DicomNetworkException(string message) : base(message) { }
    public DicomNetworkException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The peer answered A-ASSOCIATE-RQ with A-ASSOCIATE-RJ.</summary>
public sealed class DicomAssociationRejectedException : DicomNetworkException
{
    public DicomAssociationRejectedException(AAssociateRj rj)
        : base($"association rejected: result {(byte)rj.Result} ({rj.Result}), source {(byte)rj.Source} ({rj.Source}), reason {rj.Reason}") => Reject = rj;

    public AAssociateRj Reject { get; }
}

/// <summary>The association was aborted (A-ABORT sent or received, or the transport closed).</summary>
public sealed class DicomAssociationAbortedException : DicomNetworkException
{
    public DicomAssociationAbortedException(string message) : base(message) { }
}
