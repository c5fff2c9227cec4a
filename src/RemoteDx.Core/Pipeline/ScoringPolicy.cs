namespace RemoteDx.Core.Pipeline;

/// <summary>How scoring jobs are claimed and retried.</summary>
public sealed record ScoringPolicy
{
    /// <summary>Attempts before a job is marked failed for good.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry, growing up to <see cref="MaxBackoff"/> (<see cref="ExponentialBackoff"/>).</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a claimed job stays this worker's; after that another worker (or process) may take it over.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long jobs wait when the scorer reports that no model could be loaded at all (not the image's fault:
    /// the job is given back without counting the attempt).</summary>
    public TimeSpan UnavailablePause { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Jobs claimed at once by one worker.</summary>
    public int ClaimBatch { get; init; } = 1;

    /// <summary>The retry delay after attempt <paramref name="attempt"/> (1-based) failed.</summary>
    public TimeSpan Backoff(int attempt) => new ExponentialBackoff(BaseBackoff, MaxBackoff).After(attempt);
}
