using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Results;
using RemoteDx.Core.Results.Delivery;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>Runs the results writer (<see cref="ResultsWriter"/>) and the delivery sender (<see cref="ResultSender"/>) of
/// `remotedx serve`, each polling every RemoteDx:Results:PollSeconds.</summary>
public sealed partial class ResultsService(IServiceProvider services, ITriageStore store, IOptions<RemoteDxOptions> options, ILoggerFactory loggers)
    : BackgroundService
{
    private readonly ILogger _log = loggers.CreateLogger("RemoteDx.Results");

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var r = o.Results;
        if (!r.Enabled)
        {
            return Task.CompletedTask;
        }
        var routing = new ResultRouting(r.ToDestinations());
        var archive = new DicomArchive(o.DataDirectory, o.Dicom.FreeSpaceReserveMB * 1024 * 1024);
        var writer = new ResultsWriter(store, archive, routing, QuietPeriod.FromSeconds(o.Worklist.QuietPeriodSeconds),
            loggers.CreateLogger<ResultsWriter>(), r.VerifyingOrganization, Codes());
        var sender = new ResultSender(store, routing, new DeliveryPolicy
        {
            CallingAE = o.Dicom.AeTitle,
            MaxAttempts = r.MaxAttempts,
            Backoff = new ExponentialBackoff(TimeSpan.FromSeconds(r.RetryBaseSeconds), TimeSpan.FromSeconds(r.RetryMaxSeconds)),
            Timeout = TimeSpan.FromSeconds(r.TimeoutSeconds),
        }, loggers.CreateLogger<ResultSender>());
        var poll = TimeSpan.FromSeconds(r.PollSeconds);
        return Task.WhenAll(
            LoopAsync("writer", ct => writer.RunOnceAsync(ct), poll, stoppingToken),
            routing.All.Count == 0 ? Task.CompletedTask : LoopAsync("sender", ct => sender.RunOnceAsync(ct), poll, stoppingToken)
                .ContinueWith(_ => sender.Dispose(), TaskScheduler.Default));
    }

    /// <summary>The loaded models' label codes (the SR codes findings as the manifest says).</summary>
    private LabelCodes Codes() => services.GetService(typeof(ModelRegistry)) is ModelRegistry registry
        ? new LabelCodes(registry.Models.Select(m => m.Manifest))
        : LabelCodes.None;

    private async Task LoopAsync(string name, Func<CancellationToken, Task<int>> pass, TimeSpan poll, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await pass(ct).ConfigureAwait(false) == 0)
                {
                    await Task.Delay(poll, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogLoopError(name, ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 3320, Level = LogLevel.Error, Message = "results {Loop}: {ErrorType}: {Error}")]
    private partial void LogLoopError(string loop, string errorType, string error);
}
