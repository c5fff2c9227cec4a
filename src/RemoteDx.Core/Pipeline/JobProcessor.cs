using Microsoft.Extensions.Logging;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Core.Pipeline;

/// <summary>One scoring worker's work, without the hosting: claim due jobs, read each archived file, score it, and
/// write findings (or "not applicable"), heatmaps and the job's completion in one transaction; a failure is retried
/// with exponential backoff and, after <see cref="ScoringPolicy.MaxAttempts"/>, recorded as failed with its error.</summary>
public sealed partial class JobProcessor(ITriageStore store, IImageScorer scorer, ScoringPolicy policy, string workerId, ILogger logger)
{
    public string WorkerId { get; } = workerId;

    /// <summary>Set when the scorer last reported that no model is available: the worker should pause until then.</summary>
    public DateTimeOffset? Unavailable { get; private set; }

    /// <summary>Raised after each job, done or not (for metrics).</summary>
    public event Action<ClaimedJob, string, TimeSpan>? JobFinished;

    /// <summary>Claims and processes one batch; returns how many jobs it took (0: nothing due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var jobs = await store.ClaimJobsAsync(WorkerId, policy.ClaimBatch, policy.Lease, policy.MaxAttempts, ct).ConfigureAwait(false);
        for (var i = 0; i < jobs.Count; i++)
        {
            try
            {
                ct.ThrowIfCancellationRequested();
                await ProcessAsync(jobs[i], ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await HandBackAsync(jobs.Skip(i)).ConfigureAwait(false);
                throw;
            }
        }
        return jobs.Count;
    }

    /// <summary>Shutting down (DESIGN.md: SIGTERM drains): the jobs this worker holds but did not finish go back to the
    /// queue uncounted, their lease released, so the next start (or another node) claims them at once.</summary>
    private async Task HandBackAsync(IEnumerable<ClaimedJob> jobs)
    {
        foreach (var job in jobs)
        {
            try
            {
                await store.DeferJobAsync(job, "handed back: shutting down", DateTimeOffset.UtcNow, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store is down too: the lease expires (or SQLite requeues at start-up).
                LogHandBackFailed(job.Id, ex.Message);
            }
        }
    }

    public async Task ProcessAsync(ClaimedJob job, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            var file = DicomReader.ReadFile(job.Path, new DicomReadOptions { LazyPixelData = true });
            var score = await scorer.ScoreAsync(file, ct).ConfigureAwait(false);
            var rows = file.Dataset.GetInt(Tag.Rows) ?? 0;
            var columns = file.Dataset.GetInt(Tag.Columns) ?? 0;
            var heatmaps = HeatmapImages.Render(score, rows, columns);
            if (await store.CompleteJobAsync(job, score, heatmaps, ct).ConfigureAwait(false))
            {
                outcome = score.NotApplicable ? "not-applicable" : "done";
                LogDone(job.Id, job.Attempts, score.Models.Count);
            }
            else
            {
                outcome = "lease-lost";
                LogLeaseLost(job.Id);
            }
        }
        catch (InferenceUnavailableException ex)
        {
            // No model could be loaded: every image would fail the same way. Give the job back uncounted, so fixing the
            // models folder (and restarting) scores it, instead of failing every queued image for good.
            outcome = "deferred";
            var until = DateTimeOffset.UtcNow + policy.UnavailablePause;
            await store.DeferJobAsync(job, "inference unavailable: " + ex.Message.ReplaceLineEndings(" "), until, ct).ConfigureAwait(false);
            Unavailable = until;
            LogUnavailable(job.Id, until, ex.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: RunOnceAsync hands the job back.
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var error = $"{ex.GetType().Name}: {ex.Message}".ReplaceLineEndings(" ");
            var failure = await store.FailJobAsync(job, error, policy.MaxAttempts, DateTimeOffset.UtcNow + policy.Backoff(job.Attempts), ct).ConfigureAwait(false);
            if (failure is { Permanent: true })
            {
                outcome = "failed";
                LogFailed(job.Id, job.Attempts, error);
            }
            else
            {
                outcome = "retry";
                LogRetry(job.Id, job.Attempts, failure?.RetryAt, error);
            }
        }
        JobFinished?.Invoke(job, outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Debug, Message = "job {JobId} scored (attempt {Attempt}, {Models} models)")]
    private partial void LogDone(long jobId, int attempt, int models);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "job {JobId} attempt {Attempt} failed, retry at {RetryAt:O}: {Error}")]
    private partial void LogRetry(long jobId, int attempt, DateTimeOffset? retryAt, string error);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Error, Message = "job {JobId} failed for good after {Attempt} attempts: {Error}")]
    private partial void LogFailed(long jobId, int attempt, string error);

    [LoggerMessage(EventId = 3114, Level = LogLevel.Warning, Message = "job {JobId} given back until {Until:O}: no model available: {Error}")]
    private partial void LogUnavailable(long jobId, DateTimeOffset until, string error);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Warning, Message = "job {JobId}: lease expired before it was done; another worker has it")]
    private partial void LogLeaseLost(long jobId);

    [LoggerMessage(EventId = 3115, Level = LogLevel.Warning, Message = "job {JobId} not handed back at shutdown (its lease will expire): {Error}")]
    private partial void LogHandBackFailed(long jobId, string error);
}
