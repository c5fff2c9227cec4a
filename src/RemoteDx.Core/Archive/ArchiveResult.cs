namespace RemoteDx.Core.Archive;

public enum ArchiveOutcome
{
    /// <summary>A new instance was written.</summary>
    Stored,

    /// <summary>The same SOP Instance UID arrived with identical bytes: nothing changed.</summary>
    Identical,

    /// <summary>The same SOP Instance UID arrived with different bytes: the file was replaced atomically.</summary>
    Replaced,
}

/// <summary>Where an instance landed and the attributes the index needs.</summary>
public sealed record ArchiveResult(
    ArchiveOutcome Outcome,
    string Path,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopInstanceUid,
    string SopClassUid,
    string TransferSyntaxUid,
    long Size,
    InstanceAttributes Attributes);

/// <summary>A received file read and checked by <see cref="DicomArchive.Inspect"/>, not yet in the archive: the data set
/// starts at <see cref="DatasetOffset"/> of <see cref="Path"/>.</summary>
public sealed record ReceivedInstance(
    string Path,
    long DatasetOffset,
    string TransferSyntaxUid,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopInstanceUid,
    string SopClassUid,
    InstanceAttributes Attributes);

/// <summary>Header attributes a worklist needs, read once at ingest (patient data stays out of logs).</summary>
public sealed record InstanceAttributes(
    string? PatientId,
    string? PatientName,
    string? Modality,
    string? BodyPartExamined,
    string? ViewPosition,
    string? StudyDate,
    string? StudyDescription,
    string? InstitutionName,
    int? InstanceNumber,
    int Rows,
    int Columns,
    int Frames,
    string? PatientSex = null,
    string? PatientAge = null,
    string? PatientBirthDate = null,
    string? AccessionNumber = null,
    string? PhotometricInterpretation = null,
    double? WindowCenter = null,
    double? WindowWidth = null,
    int? SeriesNumber = null,
    string? SeriesDescription = null);
