// PS3.15 A.5 audit trail support: one record per association, accepted or not
namespace RemoteDx.Dicom.Network;

/// <summary>Told about every association when it ends, including rejected ones (for the audit trail).</summary>
public interface IAssociationObserver
{
    void AssociationEnded(AssociationRecord record);
}

/// <summary>What happened on one association. <see cref="Outcome"/> is "released", "aborted", "rejected:REASON" or
/// "timeout" (a short detail may follow after ": " for aborted and timeout).</summary>
public sealed record AssociationRecord(AssociationInfo Info, int Instances, long Bytes, IReadOnlyDictionary<ushort, int> StatusCounts,
    TimeSpan Duration, string Outcome);
