// DESIGN.md "Between clinics (ownership)": a study belongs to the clinic that first stored it
namespace RemoteDx.Core.Store;

/// <summary>A clinic asking to store one instance: granted when neither its study, its series nor its SOP Instance UID
/// belongs to another clinic; a new study becomes the clinic's in the same commit.</summary>
public sealed record OwnershipClaim(
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopInstanceUid,
    string Clinic,
    string CallingAE,
    string AssociationId,
    DateTimeOffset At);

/// <summary>The answer to an <see cref="OwnershipClaim"/>: granted, or which UID belongs to another clinic.</summary>
public enum OwnershipDecision
{
    Granted,

    /// <summary>The Study Instance UID belongs to another clinic (a new series or instance would join its study).</summary>
    StudyOwnedByAnotherClinic,

    /// <summary>The Series Instance UID is already a series of another clinic's study.</summary>
    SeriesOwnedByAnotherClinic,

    /// <summary>The SOP Instance UID is already an instance of another clinic's study (a replacement).</summary>
    InstanceOwnedByAnotherClinic,
}
