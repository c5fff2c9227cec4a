// Issue 14 "Faults without surprises": the store and the archive volume are probed, not discovered by a sender's failure
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>Every few seconds: the archive folder (free space above the reserve, a probe file written and removed), the
/// database's own folder when it is local (SQLite: free space above <c>RemoteDx:Database:FreeSpaceReserveMB</c>), and the
/// store itself, read (<see cref="IIngestStore.PingAsync"/>) and written (<see cref="IIngestStore.ProbeWriteAsync"/>: a
/// full SQLite volume still answers reads). The finding goes to <see cref="HealthState"/> (`/healthz`, association
/// admission); when the store answers again, the audit records kept while it was down are written
/// (<see cref="AuditSpool"/>).</summary>
public sealed partial class HealthMonitor
{
    private readonly IIngestStore _store;
    private readonly DicomArchive _archive;
    private readonly AuditSpool _spool;
    private readonly HealthState _state;
    private readonly ILogger _log;
    private readonly long _databaseReserveBytes;

    public HealthMonitor(IIngestStore store, DicomArchive archive, AuditSpool spool, HealthState state, ILogger logger, long databaseReserveBytes = 0)
    {
        _store = store;
        _databaseReserveBytes = databaseReserveBytes;
        _archive = archive;
        _spool = spool;
        _state = state;
        _log = logger;
    }

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await ProbeAsync(ct).ConfigureAwait(false);
            try
            {
                await Task.Delay(Interval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round of probes; sets <see cref="HealthState.Problem"/>.</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        var problem = ProbeArchive() ?? ProbeDatabaseVolume() ?? await ProbeStoreAsync(ct).ConfigureAwait(false);
        var before = _state.Problem;
        _state.Report(problem);
        if (problem is not null && before != problem)
        {
            LogUnhealthy(problem);
        }
        else if (problem is null && before is not null)
        {
            LogHealthy(before);
        }
        if (problem is null)
        {
            try
            {
                var replayed = await _spool.ReplayAsync(_store, ct).ConfigureAwait(false);
                if (replayed > 0)
                {
                    LogAuditReplayed(replayed);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
            {
                LogAuditReplayFailed(ex.GetType().Name, ex.Message);
            }
        }
    }

    private string? ProbeArchive()
    {
        try
        {
            if (!_archive.HasFreeSpace())
            {
                return "archive: free space below FreeSpaceReserveMB";
            }
            Directory.CreateDirectory(_archive.TempDirectory);
            var probe = Path.Combine(_archive.TempDirectory, $"health-{Environment.ProcessId}.probe");
            using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.WriteByte(0);
                file.Flush(flushToDisk: false);
            }
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "archive: not writable (" + ex.GetType().Name + ": " + ex.Message + ")";
        }
    }

    /// <summary>Null unless the database is local and its volume has less free space than the reserve: then SQLite is
    /// about to fail every commit, so senders are turned away before they get A700 per instance.</summary>
    private string? ProbeDatabaseVolume()
    {
        if (_databaseReserveBytes <= 0 || _store.DatabaseDirectory is not { } folder)
        {
            return null;
        }
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace < _databaseReserveBytes
                ? "database: free space below RemoteDx:Database:FreeSpaceReserveMB on its volume"
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "database: its folder cannot be examined (" + ex.GetType().Name + ")";
        }
    }

    private async Task<string?> ProbeStoreAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await _store.PingAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return _state.Problem;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return "database: unavailable (" + ex.GetType().Name + ")";
        }
        try
        {
            // The write waits behind the ingest writes already queued (one commit for all), hence the longer timeout.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            await _store.ProbeWriteAsync(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return _state.Problem;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return "database: cannot write (" + StoreFaults.Describe(ex) + ")";
        }
    }

    [LoggerMessage(EventId = 1120, Level = LogLevel.Error, Message = "unhealthy, new associations are rejected: {Problem}")]
    private partial void LogUnhealthy(string problem);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Information, Message = "healthy again (was: {Problem})")]
    private partial void LogHealthy(string problem);

    [LoggerMessage(EventId = 1122, Level = LogLevel.Information, Message = "{Count} association audit records kept while the store was down are written")]
    private partial void LogAuditReplayed(int count);

    [LoggerMessage(EventId = 1123, Level = LogLevel.Warning, Message = "audit records kept while the store was down not written yet: {ErrorType}: {Error}")]
    private partial void LogAuditReplayFailed(string errorType, string error);
}
