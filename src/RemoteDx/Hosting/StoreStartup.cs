using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>Runs first: migrates the schema and, for a store only this process uses (SQLite), puts jobs left running
/// by a previous process back in the queue.</summary>
public sealed partial class StoreStartup(ITriageStore store, ILogger<StoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var requeued = store.SharedAcrossProcesses ? 0 : await store.RequeueRunningJobsAsync(cancellationToken).ConfigureAwait(false);
        var unfinished = await store.UnfinishedJobsAsync(cancellationToken).ConfigureAwait(false);
        LogStore(store.Provider, unfinished.Count, requeued);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "store {Provider} ready: {Unfinished} unfinished scoring jobs ({Requeued} requeued from a previous run)")]
    private partial void LogStore(string provider, int unfinished, int requeued);
}
