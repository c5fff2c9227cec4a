using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Batch;

public enum BatchStatus
{
    /// <summary>At least one model scored the image.</summary>
    Scored,

    /// <summary>A readable file no selected model applies to (other modality, body part, no pixel data).</summary>
    NotApplicable,

    /// <summary>The file could not be read, decoded or scored; <see cref="BatchResult.Error"/> says why.</summary>
    Error,
}

/// <summary>What happened to one input file.</summary>
public sealed record BatchResult(
    string Path,
    BatchStatus Status,
    IReadOnlyList<ModelScore> Models,
    string? SopInstanceUid = null,
    string? StudyInstanceUid = null,
    string? Error = null)
{
    public static string StatusName(BatchStatus s) => s switch
    {
        BatchStatus.Scored => "scored",
        BatchStatus.NotApplicable => "not-applicable",
        _ => "error",
    };
}
