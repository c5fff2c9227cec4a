using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>The scoring workers of `remotedx serve`: RemoteDx:Scoring:Workers loops, each claiming jobs and running
/// them through <see cref="JobProcessor"/> with the registered <see cref="IImageScorer"/>. Without a scorer nothing is
/// scored (jobs stay queued, and are picked up by the next start that has one).</summary>
public sealed partial class ScoringWorker(
    IServiceProvider services,
    ITriageStore store,
    IOptions<RemoteDxOptions> options,
    JobSignal signal,
    PipelineMetrics metrics,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _log = loggers.CreateLogger("RemoteDx.Scoring");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.Scoring;
        var scorer = services.GetService<IImageScorer>();
        if (scorer is null)
        {
            LogNoScorer();
            return;
        }
        if (o.Workers == 0)
        {
            LogNoWorkers();
            return;
        }
        var policy = new ScoringPolicy
        {
            MaxAttempts = o.MaxAttempts,
            BaseBackoff = TimeSpan.FromSeconds(o.RetryBaseSeconds),
            MaxBackoff = TimeSpan.FromSeconds(o.RetryMaxSeconds),
            Lease = TimeSpan.FromSeconds(o.LeaseSeconds),
        };
        var node = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
        LogStarted(o.Workers, node);
        var processorLog = loggers.CreateLogger<JobProcessor>();
        var loops = Enumerable.Range(0, o.Workers).Select(i =>
        {
            var p = new JobProcessor(store, scorer, policy, node + ":" + i, processorLog);
            p.JobFinished += (_, outcome, elapsed) => metrics.JobFinished(outcome, elapsed);
            return Task.Run(() => LoopAsync(p, TimeSpan.FromSeconds(o.PollSeconds), stoppingToken), stoppingToken);
        }).ToList();
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task LoopAsync(JobProcessor processor, TimeSpan poll, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await processor.RunOnceAsync(ct).ConfigureAwait(false) == 0)
                {
                    await signal.WaitAsync(poll, ct).ConfigureAwait(false);
                }
                else if (processor.Unavailable is { } until && until > DateTimeOffset.UtcNow)
                {
                    // No model loaded: claiming more jobs would only give them back.
                    await Task.Delay(until - DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store is unreachable or a bug: keep the worker alive and try again after a pause.
                LogLoopError(processor.WorkerId, ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(poll * 5, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "no image scorer is registered: scoring workers not started, jobs stay queued")]
    private partial void LogNoScorer();

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "RemoteDx:Scoring:Workers is 0: this process scores nothing")]
    private partial void LogNoWorkers();

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "{Workers} scoring workers started ({Node})")]
    private partial void LogStarted(int workers, string node);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "scoring worker {Worker}: {ErrorType}: {Error}")]
    private partial void LogLoopError(string worker, string errorType, string error);
}
