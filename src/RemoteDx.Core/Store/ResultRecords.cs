namespace RemoteDx.Core.Store;

/// <summary>What kind of object RemoteDx wrote for a study.</summary>
public static class ResultKind
{
    /// <summary>The AI's report (Comprehensive SR, UNVERIFIED).</summary>
    public const string Report = "sr";

    /// <summary>The report after a radiologist's review (VERIFIED, Verifying Observer).</summary>
    public const string VerifiedReport = "sr-verified";

    /// <summary>A positive finding's heatmap (Secondary Capture).</summary>
    public const string Heatmap = "heatmap";
}

/// <summary>A result object RemoteDx wrote and archived as part of a study (not a received instance: no job, no owner
/// claim). <see cref="Model"/> is the model whose findings it reports.</summary>
public sealed record ResultObject(
    string SopInstanceUid,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopClassUid,
    string Kind,
    string Model,
    string Modality,
    int SeriesNumber,
    string SeriesDescription,
    int InstanceNumber,
    string Path,
    DateTimeOffset CreatedAt);

/// <summary>Why a study's results are due: the AI report (the study was scored again since the last one: <see cref="Seq"/>
/// is its scored_seq) or the verified report (it was reviewed again: <see cref="Seq"/> is its reviewed_seq).</summary>
public sealed record ResultsDue(string StudyInstanceUid, bool Verified, long Seq);

/// <summary>One received instance of a study as the results writer needs it: the archived file and its findings (with
/// their latest review) and display heatmaps.</summary>
public sealed record ResultSource(string SopInstanceUid, string Path, IReadOnlyList<FindingDetail> Findings, IReadOnlyList<HeatmapImage> Heatmaps);

/// <summary>Everything about a study the results writer reads in one snapshot: owner clinic, STAT, whether every instance
/// scored, the review, sources and the results already written.</summary>
public sealed record ResultContext(
    string StudyInstanceUid,
    string Clinic,
    bool Stat,
    bool Complete,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    IReadOnlyList<CommentInfo> Comments,
    IReadOnlyList<ResultSource> Sources,
    IReadOnlyList<ResultObject> Results);

/// <summary>A result's delivery to one destination (the outbox row), as the study shows it; <see cref="NextAttemptAt"/> is
/// when a pending delivery is next tried (null: as soon as the sender gets to it).</summary>
public sealed record DeliveryInfo(long Id, string Destination, string SopInstanceUid, string Kind, string State, int Attempts,
    string? LastError, DateTimeOffset UpdatedAt, DateTimeOffset? NextAttemptAt);

/// <summary>A delivery the sender holds until its lease ends.</summary>
public sealed record ClaimedDelivery(long Id, string Destination, string SopInstanceUid, string StudyInstanceUid, string Path, int Attempts);

/// <summary>What happened to a failed delivery attempt: retried at <see cref="RetryAt"/>, or failed for good.</summary>
public sealed record DeliveryFailure(bool Permanent, DateTimeOffset? RetryAt);
