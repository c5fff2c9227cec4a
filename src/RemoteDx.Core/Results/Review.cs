namespace RemoteDx.Core.Results;

/// <summary>A radiologist's decision on one AI finding.</summary>
public sealed record ReviewDecision(string SopInstanceUid, string Label, bool Confirmed, string? Comment = null);

/// <summary>Who verified the AI result, when, and what they decided (PS3.3 C.17.2 Verifying Observer).</summary>
public sealed record Verification(string VerifyingObserverName, string VerifyingOrganization, DateTimeOffset VerifiedAt,
    IReadOnlyList<ReviewDecision> Decisions, string? Comment = null);
