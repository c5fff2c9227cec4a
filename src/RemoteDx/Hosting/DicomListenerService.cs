// `remotedx serve` hosting of the DICOM listener (DESIGN.md contracts: port, AE title, data folder, readiness)
using System.Net;
using System.Security.Cryptography.X509Certificates;
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
    IIngestStore store,
    JobSignal jobs,
    PipelineMetrics metrics,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("RemoteDx.Listener");
    private readonly IIngestStore _store = store;
    private DicomServer? _server;

    public DicomServer? Server => _server;

    public IIngestStore Store => _store;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var data = Path.GetFullPath(o.DataDirectory);
        var archive = new DicomArchive(data, o.Dicom.FreeSpaceReserveMB * 1024 * 1024);
        var ingest = new IngestService(archive, _store, new Signals(jobs, metrics), _log);
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
        var serverOptions = ListenerOptions.ToServerOptions(d, archive.HasFreeSpace);
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
        readiness.MarkReady();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        // The store belongs to the service container, which disposes it after this service.
    }

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
