namespace RemoteDx.Hosting;

/// <summary>Wakes idle scoring workers when the listener has queued a job, so a new image does not wait for the next
/// poll (jobs queued by other processes are found by polling).</summary>
public sealed class JobSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns on the next pulse or after <paramref name="timeout"/>; throws when <paramref name="ct"/> is cancelled.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await Task.WhenAny(Volatile.Read(ref _next).Task, Task.Delay(timeout, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }
}
