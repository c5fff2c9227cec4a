namespace RemoteDx.Core.Pipeline;

/// <summary>How long to wait before retrying after a failed attempt: <see cref="Base"/> after the first failure, doubled
/// for each further one, never more than <see cref="Max"/>. Used for scoring jobs and webhook deliveries.</summary>
public readonly record struct ExponentialBackoff(TimeSpan Base, TimeSpan Max)
{
    /// <summary>The delay after attempt <paramref name="attempt"/> (1-based; 0 or less counts as the first) failed.</summary>
    public TimeSpan After(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(Base.TotalMilliseconds * factor, Max.TotalMilliseconds));
    }
}
