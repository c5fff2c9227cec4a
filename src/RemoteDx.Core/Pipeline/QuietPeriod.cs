namespace RemoteDx.Core.Pipeline;

/// <summary>When a study counts as complete: its last image arrived at least <see cref="Length"/> ago (modalities send a
/// study as a burst of C-STOREs, with no "study done" message). Used by the API's "complete" flag, by the worklist watcher
/// that tells viewers when studies become complete, and by the store's count of complete studies.</summary>
public readonly record struct QuietPeriod(TimeSpan Length)
{
    public static QuietPeriod FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));

    public bool IsComplete(DateTimeOffset lastReceivedAt, DateTimeOffset now) => lastReceivedAt <= CompleteUpTo(now);

    /// <summary>The latest last-arrival time of a study that is complete at <paramref name="now"/>.</summary>
    public DateTimeOffset CompleteUpTo(DateTimeOffset now) => now - Length;
}
