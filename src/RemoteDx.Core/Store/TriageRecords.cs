namespace RemoteDx.Core.Store;

/// <summary>Study status on the worklist (docs/api.md).</summary>
public static class StudyStatus
{
    public const string Scoring = "scoring";
    public const string New = "new";
    public const string InReview = "in-review";
    public const string Reviewed = "reviewed";
    public const string Failed = "failed";

    public static bool IsValid(string s) => s is Scoring or New or InReview or Reviewed or Failed;
}

public static class JobState
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";

    public static bool IsValid(string s) => s is Pending or Running or Done or Failed;
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Radiologist = "radiologist";
    public const string Clinic = "clinic";

    public static bool IsValid(string s) => s is Admin or Radiologist or Clinic;
}

/// <summary>Which studies a reader may see: everything, or only those whose calling AE title is in <see cref="Clinics"/>.</summary>
public sealed record Scope(IReadOnlyList<string>? Clinics)
{
    public static readonly Scope All = new((IReadOnlyList<string>?)null);

    public bool Allows(string callingAe) => Clinics is null || Clinics.Contains(callingAe, StringComparer.Ordinal);
}

/// <summary>Worklist orders. Each breaks ties by Study Instance UID, so paging is stable.</summary>
public enum WorklistSort
{
    /// <summary>Rank order: STAT first, then priority, then earliest arrival (descending by default).</summary>
    Priority,

    /// <summary>First arrival (newest first by default).</summary>
    Received,

    /// <summary>Patient name as searched (<see cref="SearchKey"/>), A → Z by default.</summary>
    Patient,
    Modality,

    /// <summary>The owning clinic's name, case-insensitively.</summary>
    Clinic,

    /// <summary>Work order: new, in-review, scoring, failed, reviewed.</summary>
    Status,
}

public sealed record WorklistQuery
{
    public Scope Scope { get; init; } = Scope.All;
    public string? Status { get; init; }

    /// <summary>A clinic's name or a calling AE title, case-insensitively (the API first maps a configured AE title to
    /// its clinic).</summary>
    public string? Clinic { get; init; }
    public string? Modality { get; init; }

    /// <summary>Words that must each start one of the study's search terms (patient name words, patient ID, accession
    /// number), normalised by <see cref="SearchKey"/>.</summary>
    public string? Search { get; init; }

    /// <summary>Leave out reviewed studies.</summary>
    public bool Unreviewed { get; init; }

    /// <summary>Inclusive study date bounds, YYYYMMDD (the receive date when the study has no Study Date).</summary>
    public string? From { get; init; }
    public string? To { get; init; }
    public bool? Stat { get; init; }
    public WorklistSort Sort { get; init; } = WorklistSort.Priority;

    /// <summary>Null: the sort's natural direction (priority and received descending, the others ascending).</summary>
    public bool? Descending { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}

public sealed record FindingSummary(string Label, double Probability, bool Positive, bool Critical, string Model)
{
    /// <summary>The radiologist's latest decision on this label ("confirmed", "dismissed"), or null.</summary>
    public string? Decision { get; init; }
}

public sealed record WorklistItem(
    string StudyInstanceUid,
    double Priority,
    bool Stat,
    string Status,
    string? PatientName,
    string? PatientId,
    string? PatientSex,
    string? PatientAge,
    string? StudyDate,
    string? StudyDescription,
    string? Modality,
    string Clinic,
    string? Institution,
    DateTimeOffset ReceivedAt,
    DateTimeOffset LastReceivedAt,
    int Instances,
    int Scored,
    int Failed,
    IReadOnlyList<FindingSummary> Findings);

public sealed record WorklistPage(IReadOnlyList<WorklistItem> Items, long Total, int Page, int PageSize, long Version);

public sealed record ReviewInfo(string Decision, string By, DateTimeOffset At);

public sealed record FindingDetail(
    long Id,
    string StudyInstanceUid,
    string SopInstanceUid,
    string Model,
    string ModelVersion,
    string ModelSha256,
    string Label,
    double Probability,
    bool Positive,
    bool Critical,
    double Threshold,
    double Urgency,
    bool HasHeatmap,
    ReviewInfo? Review);

public sealed record JobInfo(long Id, string SopInstanceUid, string StudyInstanceUid, string State, int Attempts, string? Error,
    DateTimeOffset? NotBefore, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record HeatmapRef(string Model, string Label);

public sealed record InstanceDetail(
    string SopInstanceUid,
    int? InstanceNumber,
    int Rows,
    int Columns,
    int Frames,
    string? ViewPosition,
    string? Photometric,
    double? WindowCenter,
    double? WindowWidth,
    JobInfo? Job,
    bool NotApplicable,
    IReadOnlyList<FindingDetail> Findings,
    IReadOnlyList<HeatmapRef> Heatmaps)
{
    public string? SopClassUid { get; init; }
}

public sealed record SeriesDetail(string SeriesInstanceUid, string? Modality, string? BodyPart, int? SeriesNumber, string? Description,
    IReadOnlyList<InstanceDetail> Instances);

public sealed record CommentInfo(long Id, string By, DateTimeOffset At, string Text);

public sealed record StudyDetail(
    WorklistItem Study,
    string? PatientBirthDate,
    string? AccessionNumber,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    IReadOnlyList<SeriesDetail> Series,
    IReadOnlyList<CommentInfo> Comments)
{
    /// <summary>The result objects RemoteDx wrote for the study (SR, heatmaps), oldest first.</summary>
    public IReadOnlyList<ResultObject> Results { get; init; } = [];

    /// <summary>Their deliveries to the clinic's destinations.</summary>
    public IReadOnlyList<DeliveryInfo> Deliveries { get; init; } = [];
}

/// <summary>Where an archived instance is and whose it is (for frames, thumbnails and heatmaps).</summary>
public sealed record InstanceLocation(string SopInstanceUid, string StudyInstanceUid, string Path, string CallingAE, int Version,
    int Rows, int Columns, int Frames);

/// <summary>A job this worker holds until <see cref="LeaseUntil"/>.</summary>
public sealed record ClaimedJob(long Id, string SopInstanceUid, string StudyInstanceUid, string Path, int Attempts, string Worker,
    DateTimeOffset LeaseUntil);

/// <summary>A heatmap rendered for display (PNG bytes), stored with the findings.</summary>
public sealed record HeatmapImage(string Model, string Label, byte[] Png);

public sealed record AuditEvent(DateTimeOffset At, string Kind, string? Actor, string? Subject, string? Detail);

public sealed record UserRecord(string Username, string PasswordHash, string Role, IReadOnlyList<string> Clinics, int FailedLogins,
    DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt)
{
    /// <summary>A disabled account cannot sign in and has no sessions (an admin disabled it).</summary>
    public bool Disabled { get; init; }
}

/// <summary>A server-side session, keyed by the SHA-256 of the cookie's random token (the token itself is never stored).</summary>
public sealed record SessionRecord(string TokenHash, string Username, string Role, IReadOnlyList<string> Clinics, string CsrfToken,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>A login attempt's reservation: <see cref="Granted"/> lets the password be verified once. <see cref="LockedUntil"/>
/// is when the name's lock ends: refused attempts always carry it; a granted one does when it was the last the window
/// allows (it failing answers "locked").</summary>
public sealed record LoginAttempt(bool Granted, DateTimeOffset? LockedUntil);

/// <summary>A queued outbound notification (outbox row).</summary>
public sealed record OutboxMessage(long Id, string Kind, string Payload, int Attempts);

/// <summary>What happened to a failed job: retried later, or failed for good.</summary>
public sealed record JobFailure(bool Permanent, DateTimeOffset? RetryAt);

/// <summary>Behaviour the store needs from configuration.</summary>
public sealed record TriageStoreOptions
{
    /// <summary>Queue an outbox message when a study first becomes STAT (only when a webhook is configured).</summary>
    public bool QueueStatNotifications { get; init; }

    /// <summary>Deferred durability (RemoteDx:Archive:Durability): SQLite commits reach the OS but are synced only by
    /// <see cref="IIngestStore.SyncAsync"/> (WAL with synchronous=NORMAL, no automatic checkpoint). PostgreSQL commits
    /// stay synchronous.</summary>
    public bool DeferredSync { get; init; }
}
