using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Hosting;

/// <summary>Runs the DICOM listener inside `remotedx serve` and is the one domain handler it calls per C-STORE:
/// archive durably, then index and queue the job, and only then answer 0000.</summary>
public sealed partial class DicomListenerService(
    IOptions<RemoteDxOptions> options,
    ReadinessState readiness,
    IIngestStore store,
    JobSignal jobs,
    PipelineMetrics metrics,
    ILoggerFactory loggers) : IHostedService, IStoreHandler, IStoreFilePrefix, IAssociationObserver, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("RemoteDx.Listener");
    private DicomArchive? _archive;
    private readonly IIngestStore _store = store;
    private DicomServer? _server;
    private readonly DirectorySyncBatcher _directorySync = new();

    public DicomServer? Server => _server;

    public IIngestStore Store => _store;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var data = Path.GetFullPath(o.DataDirectory);
        _archive = new DicomArchive(data, o.Dicom.FreeSpaceReserveMB * 1024 * 1024);
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
        var serverOptions = new DicomServerOptions
        {
            AeTitle = d.AeTitle,
            Port = d.Port,
            TlsPort = d.TlsPort,
            MaxAssociations = d.MaxAssociations,
            MaxPduLength = (uint)d.MaxPduLength,
            ArtimTimeout = TimeSpan.FromSeconds(d.AssociationRequestTimeoutSeconds),
            IdleTimeout = TimeSpan.FromSeconds(d.IdleTimeoutSeconds),
            DimseTimeout = TimeSpan.FromSeconds(d.DimseTimeoutSeconds),
            TempDirectory = _archive.TempDirectory,
            AcceptingAssociations = () => _archive.HasFreeSpace(),
        };
        foreach (var peer in d.AllowedCallingAEs)
        {
            serverOptions.AllowedCallingAEs.Add(new AllowedCallingAE(peer.AeTitle, peer.Host));
        }
        if (d.TlsPort is not null && !string.IsNullOrEmpty(d.TlsCertificate))
        {
            serverOptions.TlsCertificate = X509Certificate2.CreateFromPemFile(d.TlsCertificate!, d.TlsKey!);
            serverOptions.RequireClientCertificate = d.RequireClientCertificate;
            if (d.TrustedClientCa is { Length: > 0 } ca)
            {
                var trusted = new X509Certificate2Collection();
                trusted.ImportFromPemFile(ca);
                serverOptions.TrustedClientCertificates = trusted;
            }
        }
        _server = new DicomServer(serverOptions, this, this, loggers.CreateLogger<DicomServer>());
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        LogListening(d.AeTitle, _server.LocalEndPoint?.Port ?? 0, _server.TlsEndPoint?.Port);
        readiness.MarkReady();
    }

    /// <summary>The listener writes our Part 10 header first, so the received file is archived by a rename.</summary>
    public ReadOnlyMemory<byte> FilePrefix(AssociationInfo association, string sopClassUid, string sopInstanceUid, TransferSyntax transferSyntax) =>
        DicomArchive.FilePrefix(sopClassUid, sopInstanceUid, transferSyntax, association.CallingAE);

    public async ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct)
    {
        var archive = _archive ?? throw new InvalidOperationException("listener not started");
        ArchiveResult result;
        try
        {
            // This service is the server's IStoreFilePrefix, so every received file starts with our Part 10 header.
            result = archive.Adopt(request.DatasetPath, request.DatasetOffset, request.TransferSyntax, request.SopClassUid,
                request.SopInstanceUid, syncDirectory: false);
        }
        catch (InsufficientStorageException ex)
        {
            throw new OutOfResourcesException(ex.Message);
        }
        catch (DatasetMismatchException)
        {
            return DimseStatus.DatasetDoesNotMatchSopClass;
        }
        // The rename is durable once its folder is synced; that overlaps with the index commit (group commit), and
        // 0000 goes out only after both.
        var dirSync = result.Outcome != ArchiveOutcome.Identical
            ? _directorySync.SyncAsync(Path.GetDirectoryName(result.Path)!)
            : Task.CompletedTask;
        var commit = _store.RecordInstanceAsync(new IngestRecord(result, association.CallingAE, association.Id, DateTimeOffset.UtcNow), ct);
        await Task.WhenAll(dirSync, commit).ConfigureAwait(false);
        jobs.Pulse();
        LogStored(association.Id, result.Outcome.ToString(), result.Size);
        return DimseStatus.Success;
    }

    public void AssociationEnded(AssociationRecord record)
    {
        foreach (var (status, count) in record.StatusCounts)
        {
            metrics.CStore(status, count);
        }
        var statuses = string.Join(",", record.StatusCounts.Select(kv => kv.Key.ToString("X4", CultureInfo.InvariantCulture) + ":" + kv.Value.ToString(CultureInfo.InvariantCulture)));
        var audit = new AssociationAudit(record.Info.Id, record.Info.CallingAE, record.Info.CalledAE, record.Info.Remote.ToString(),
            record.Info.Tls, record.Instances, record.Bytes, statuses, record.Outcome, record.Info.Started, record.Duration);
        _ = RecordAsync(audit);
    }

    private async Task RecordAsync(AssociationAudit audit)
    {
        try
        {
            await _store.RecordAssociationAsync(audit).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAuditFailed(audit.Id, ex.Message);
        }
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

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "DICOM listener {AeTitle} on port {Port} (TLS port {TlsPort})")]
    private partial void LogListening(string aeTitle, int port, int? tlsPort);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "{Count} stored instances have unfinished scoring jobs")]
    private partial void LogUnfinishedJobs(int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "codec self-test: {Uid} {Name} decodable")]
    private partial void LogCodecOk(string uid, string name);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "codec self-test: {Uid} {Name} not decodable here: {Error}")]
    private partial void LogCodecMissing(string uid, string name, string error);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "association {AssociationId}: instance archived ({Outcome}, {Size} bytes)")]
    private partial void LogStored(string associationId, string outcome, long size);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "association {AssociationId}: audit record not written: {Error}")]
    private partial void LogAuditFailed(string associationId, string error);
}
