// `remotedx serve` hosting of the DICOM listener (DESIGN.md contracts: port, AE title, data folder, readiness)
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Hosting;

/// <summary>Hosts the DICOM listener inside `remotedx serve`: binds the options, builds the <see cref="DicomServer"/>
/// around the Core <see cref="IngestService"/> (archive durably, index and queue the job, audit), starts and stops it.</summary>
public sealed partial class DicomListenerService(
    IOptions<RemoteDxOptions> options,
    ReadinessState readiness,
    HealthState health,
    ITriageStore store,
    JobSignal jobs,
    PipelineMetrics metrics,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("RemoteDx.Listener");
    private readonly ITriageStore _store = store;
    private readonly CancellationTokenSource _abortDrain = new();
    private readonly CancellationTokenSource _stopMonitor = new();
    private DicomServer? _server;
    private IngestService? _ingest;
    private Task _monitor = Task.CompletedTask;
    private Task _reconciler = Task.CompletedTask;
    private PosixSignalRegistration? _sigterm;
    private int _sigterms;

    public DicomServer? Server => _server;

    public IIngestStore Store => _store;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var data = Path.GetFullPath(o.DataDirectory);
        var archive = new DicomArchive(data, o.Dicom.FreeSpaceReserveMB * 1024 * 1024);
        var spool = new AuditSpool(data);
        var ingest = new IngestService(archive, _store, new Signals(jobs, metrics), _log, spool, o.Archive.Mode,
            TimeSpan.FromMilliseconds(o.Archive.DeferredFlushMilliseconds));
        _ingest = ingest;
        if (ingest.Durability == ArchiveDurability.Deferred)
        {
            LogDeferredDurability(o.Archive.DeferredFlushMilliseconds);
        }
        else
        {
            LogFullDurability();
        }
        // Probed once before the first association, then every few seconds (rejects associations while unhealthy).
        var monitor = new HealthMonitor(_store, archive, spool, health, loggers.CreateLogger("RemoteDx.Health"),
            (o.Database.FreeSpaceReserveMB ?? o.Dicom.FreeSpaceReserveMB) * 1024 * 1024);
        await monitor.ProbeAsync(cancellationToken).ConfigureAwait(false);
        _monitor = monitor.RunAsync(_stopMonitor.Token);
        var clinics = o.Dicom.AllowedCallingAEs.Where(p => !string.IsNullOrWhiteSpace(p.Clinic))
            .GroupBy(p => p.AeTitle.Trim(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Clinic!.Trim(), StringComparer.Ordinal);
        var reconciler = new ArchiveReconciler(archive, _store, TimeSpan.FromSeconds(o.Dicom.ReconcileMinAgeSeconds),
            loggers.CreateLogger("RemoteDx.Reconciler"), ae => clinics.GetValueOrDefault(ae, ae));
        _reconciler = ReconcileLoopAsync(reconciler, TimeSpan.FromMinutes(o.Dicom.ReconcileMinutes), _stopMonitor.Token);
        // The store was migrated by StoreStartup, which runs first.
        var pending = await _store.UnfinishedJobsAsync(cancellationToken).ConfigureAwait(false);
        LogUnfinishedJobs(pending.Count);
        foreach (var codec in CodecRegistry.SelfTest())
        {
            if (codec.Available)
            {
                LogCodecOk(codec.Syntax.Uid, codec.Syntax.Name);
            }
            else
            {
                LogCodecMissing(codec.Syntax.Uid, codec.Syntax.Name, codec.Error ?? "");
            }
        }

        var d = o.Dicom;
        var serverOptions = ListenerOptions.ToServerOptions(d, () => health.AcceptingAssociations && archive.HasFreeSpace());
        if (d.AllowedCallingAEs.Count == 0 && !IPAddress.IsLoopback(serverOptions.BindAddress))
        {
            LogOpenToAnySender(serverOptions.BindAddress.ToString());
        }
        if (serverOptions.Port is not null && !serverOptions.PlainEnabled)
        {
            LogPlainPortClosed(serverOptions.Port.Value);
        }
        _server = new DicomServer(serverOptions, ingest, ingest, loggers.CreateLogger<DicomServer>());
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_server.LocalEndPoint is { } plain)
        {
            LogListening(d.AeTitle, plain.Port, _server.TlsEndPoint?.Port);
        }
        else
        {
            LogListeningTlsOnly(d.AeTitle, _server.TlsEndPoint?.Port ?? 0);
        }
        // The host stops on the first SIGTERM (and drains, StopAsync); a second one cuts the drain short.
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSigterm);
        readiness.MarkReady();
    }

    private void OnSigterm(PosixSignalContext context)
    {
        // Never the default action (kill): the host's own handler starts the shutdown; exit stays 0.
        context.Cancel = true;
        if (Interlocked.Increment(ref _sigterms) >= 2)
        {
            LogSecondSigterm();
            _abortDrain.Cancel();
        }
    }

    /// <summary>DESIGN.md "Durability modes": SIGTERM drains. New associations are rejected (transient), open ones may
    /// finish within DrainSeconds; then (or on a second SIGTERM, or when the host's shutdown timeout fires) the rest are
    /// aborted. Audit writes still in flight are awaited before the store is closed.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        health.MarkDraining();
        if (_server is { } server)
        {
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abortDrain.Token);
            var left = await server.DrainAsync(TimeSpan.FromSeconds(options.Value.Dicom.DrainSeconds), abort.Token).ConfigureAwait(false);
            LogDrained(left);
        }
        await _stopMonitor.CancelAsync().ConfigureAwait(false);
        await _monitor.ConfigureAwait(false);
        await _reconciler.ConfigureAwait(false);
        if (_ingest is { } ingest)
        {
            await ingest.FlushAuditsAsync().ConfigureAwait(false);
            // Deferred durability: what was acknowledged is synced before the process exits.
            await ingest.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Once at start-up (in the background: a large archive takes a while), then every interval (0: once).</summary>
    private async Task ReconcileLoopAsync(ArchiveReconciler reconciler, TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var report = await reconciler.RunAsync(ct).ConfigureAwait(false);
                metrics.Reconciled(report.Indexed, report.Quarantined, report.TempRemoved);
                if (interval <= TimeSpan.Zero)
                {
                    return;
                }
                await Task.Delay(interval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store or the volume is unavailable (the health monitor says so): try again next round.
                LogReconcileFailed(ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(interval > TimeSpan.Zero ? interval : TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "reconciler: {ErrorType}: {Error}")]
    private partial void LogReconcileFailed(string errorType, string error);

    public async ValueTask DisposeAsync()
    {
        _sigterm?.Dispose();
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        if (_ingest is { } ingest)
        {
            await ingest.FlushAuditsAsync().ConfigureAwait(false);
            await ingest.DisposeAsync().ConfigureAwait(false);
        }
        _abortDrain.Dispose();
        _stopMonitor.Dispose();
        // The store belongs to the service container, which disposes it after this service.
    }

    [LoggerMessage(EventId = 1115, Level = LogLevel.Information, Message = "archive durability: full (0000 once file, folder entry and index row are synced to disk; syncs shared by concurrent associations)")]
    private partial void LogFullDurability();

    [LoggerMessage(EventId = 1116, Level = LogLevel.Warning, Message = "archive durability: deferred (0000 once data and index row are in the OS, synced every {FlushMilliseconds} ms: a power loss may lose instances acknowledged in that last window)")]
    private partial void LogDeferredDurability(int flushMilliseconds);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "DICOM listener drained ({Aborted} associations aborted at the deadline)")]
    private partial void LogDrained(int aborted);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "second SIGTERM: aborting the associations still open")]
    private partial void LogSecondSigterm();

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on port {Port} (TLS port {TlsPort})")]
    private partial void LogListening(string aeTitle, int port, int? tlsPort);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on TLS port {TlsPort} only (no plain port)")]
    private partial void LogListeningTlsOnly(string aeTitle, int tlsPort);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "RequireClientCertificate is set: the plain DICOM port {Port} is not opened (AllowPlainWithClientCertificates opens it)")]
    private partial void LogPlainPortClosed(int port);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "DICOM listener bound to {BindAddress} with an empty AllowedCallingAEs: any calling AE on the network may store")]
    private partial void LogOpenToAnySender(string bindAddress);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "{Count} stored instances have unfinished scoring jobs")]
    private partial void LogUnfinishedJobs(int count);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "codec self-test: {Uid} {Name} decodable")]
    private partial void LogCodecOk(string uid, string name);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "codec self-test: {Uid} {Name} not decodable here: {Error}")]
    private partial void LogCodecMissing(string uid, string name, string error);

    /// <summary>Wires the ingest service's signals to the scoring workers' wake-up and the pipeline metrics.</summary>
    private sealed class Signals(JobSignal jobs, PipelineMetrics metrics) : IIngestSignals
    {
        public void JobQueued() => jobs.Pulse();

        public void ResponsesSent(ushort status, int count) => metrics.CStore(status, count);
    }
}
