using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>Follows the store's worklist version (changes by this process or any other sharing the database) for the
/// SSE endpoint; bumps it when a study becomes complete by the quiet period (a change of time, not of data); and
/// refreshes the job-state gauge.</summary>
public sealed partial class WorklistWatcher(ITriageStore store, IOptions<RemoteDxOptions> options, PipelineMetrics metrics,
    ILogger<WorklistWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    /// <summary>Completes when the version moves past <paramref name="known"/>, or after <paramref name="timeout"/>.</summary>
    public async Task<long> WaitForChangeAsync(long known, TimeSpan timeout, CancellationToken ct)
    {
        var waiter = Volatile.Read(ref _changed).Task;
        if (Version != known)
        {
            return Version;
        }
        await Task.WhenAny(waiter, Task.Delay(timeout, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return Version;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var quiet = QuietPeriod.FromSeconds(options.Value.Worklist.QuietPeriodSeconds);
        long? complete = null;
        var tick = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (tick % 4 == 0)
                {
                    var n = await store.CountCompleteStudiesAsync(quiet, DateTimeOffset.UtcNow, stoppingToken).ConfigureAwait(false);
                    if (complete is { } before && n != before)
                    {
                        await store.BumpWorklistVersionAsync(stoppingToken).ConfigureAwait(false);
                    }
                    complete = n;
                }
                if (tick % 20 == 0)
                {
                    metrics.SetJobStates(await store.JobCountsAsync(stoppingToken).ConfigureAwait(false));
                }
                var v = await store.WorklistVersionAsync(stoppingToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _version, v) != v)
                {
                    Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
                tick++;
                await Task.Delay(Poll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogPollFailed(ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "worklist watcher: {ErrorType}: {Error}")]
    private partial void LogPollFailed(string errorType, string error);
}
