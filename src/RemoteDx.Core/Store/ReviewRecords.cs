namespace RemoteDx.Core.Store;

/// <summary>A radiologist's decision on a label of a study (docs/api.md "Review"): it applies to every image's finding
/// of that model and label, so twins never disagree; <see cref="None"/> undoes it.</summary>
public static class Decision
{
    public const string Confirmed = "confirmed";
    public const string Dismissed = "dismissed";
    public const string None = "none";

    public static bool IsValid(string? s) => s is Confirmed or Dismissed or None;
}

public enum ReviewOutcome
{
    Recorded,
    NoSuchFinding,

    /// <summary>Confirm or dismiss asked for a label no image's finding reached the operating threshold for.</summary>
    BelowThreshold,
}

/// <summary>What a decision did: the outcome and, when recorded, the label's findings (every image) as they are now.</summary>
public sealed record ReviewResult(ReviewOutcome Outcome, IReadOnlyList<FindingDetail> Findings);

/// <summary>Clinical history and/or a question a clinic user attached to one of its studies.</summary>
public sealed record ClinicalNote(long Id, string StudyInstanceUid, string By, DateTimeOffset At, string? History, string? Question);

/// <summary>Per-clinic settings an admin keeps. <see cref="ShowModelOutput"/>: the clinic's users see model probabilities
/// and STAT flags before a radiologist reviewed the study (default: not).</summary>
public sealed record ClinicSettings(string Clinic, bool ShowModelOutput, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    public static ClinicSettings Default(string clinic) => new(clinic, false, null, null);
}

/// <summary>A clinic as the admin's list shows it: its settings and how many studies it owns.</summary>
public sealed record ClinicOverview(ClinicSettings Settings, int Studies);

/// <summary>What the review adds to a study's listing: the latest decision per (model, label), and how many clinical
/// notes it has.</summary>
public sealed record StudyAnnotations(IReadOnlyDictionary<(string Model, string Label), ReviewInfo> Decisions, int ClinicalNotes)
{
    public static readonly StudyAnnotations Empty = new(new Dictionary<(string, string), ReviewInfo>(), 0);
}
