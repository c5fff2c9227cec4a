// DESIGN.md durability rule and PS3.4 B.2 (Storage SCP): what happens to a C-STORE, and the PS3.15 A.5 audit trail
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Store;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Pipeline;

/// <summary>The ingest use case, the network layer's one store handler: each data set is received behind our Part 10
/// header in the archive's temp folder, archived (temp file sync, rename, directory sync) and indexed with its scoring
/// job by the <see cref="IngestCommitter"/>, which shares those syncs between concurrent associations, and only then
/// answered 0000 (in deferred durability once both are in the OS, the syncs following within the flush interval). Before the archive is touched the instance's study,
/// series and SOP Instance UID are claimed for the association's clinic (DESIGN.md "Between clinics"); another
/// clinic's are refused with 0124. Every association, accepted or not, is audited.
/// Exceptions are left to the network layer's status boundary; only domain outcomes (A900) are answered here.</summary>
public sealed partial class IngestService : IStoreHandler, IAssociationObserver, IAsyncDisposable
{
    private readonly DicomArchive _archive;
    private readonly IIngestStore _store;
    private readonly IIngestSignals _signals;
    private readonly IngestCommitter _committer;
    private readonly ILogger _log;
    private readonly Action _checkSpace;
    private readonly AuditSpool? _auditSpool;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _auditWrites = new();

    /// <param name="auditSpool">Where association audit records wait while the store cannot take them (null: they are
    /// only logged as lost).</param>
    /// <param name="durability">When 0000 may be sent (DESIGN.md "Durability modes").</param>
    /// <param name="deferredFlush">Deferred durability: the longest the syncs of an acknowledged instance wait.</param>
    public IngestService(DicomArchive archive, IIngestStore store, IIngestSignals signals, ILogger? logger = null, AuditSpool? auditSpool = null,
        ArchiveDurability durability = ArchiveDurability.Full, TimeSpan? deferredFlush = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(signals);
        _archive = archive;
        _store = store;
        _signals = signals;
        _log = logger ?? NullLogger.Instance;
        _committer = new IngestCommitter(archive, store, durability, deferredFlush, _log);
        _auditSpool = auditSpool;
        _checkSpace = () =>
        {
            if (!_archive.HasFreeSpace())
            {
                throw new OutOfStorageException("free space on the archive fell below the reserve while receiving");
            }
        };
    }

    /// <summary>Data sets go to the archive's temp folder (its file system, so keeping one is a rename), behind our
    /// File Meta Information with the calling AE as Source AE (DESIGN.md archive layout). The free-space reserve is
    /// checked again while a data set streams, so a large one cannot fill the disk before it is refused (A700). In full
    /// durability the file's writeback starts while it streams, so the sync before 0000 waits only for its tail.</summary>
    public StoreDestination PrepareStore(AssociationInfo association, StoreCommand command) =>
        new(_archive.TempDirectory, WritePart10Header: true, CheckSpace: _checkSpace, StartWriteback: _committer.Durability == ArchiveDurability.Full);

    public async ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(association);
        ArgumentNullException.ThrowIfNull(request);
        ReceivedInstance received;
        try
        {
            received = _archive.Inspect(request.DatasetPath, request.DatasetOffset, request.TransferSyntax, request.SopClassUid,
                request.SopInstanceUid, request.Head, request.DatasetOffset + request.DatasetLength);
        }
        catch (DatasetMismatchException)
        {
            return DimseStatus.DatasetDoesNotMatchSopClass;
        }
        // DESIGN.md "Between clinics": decided before anything in the archive is touched. A refused instance's temp file
        // is deleted by the network layer.
        var clinic = association.Owner;
        // An unavailable database is "out of resources" (A700, StoreFaults), never 0110: the sender retries.
        var decision = await StoreFaults.GuardAsync(() => _store.ClaimAsync(new OwnershipClaim(received.StudyInstanceUid,
            received.SeriesInstanceUid, received.SopInstanceUid, clinic, association.CallingAE, association.Id, DateTimeOffset.UtcNow), ct))
            .ConfigureAwait(false);
        if (Refusal(decision) is { } refused)
        {
            LogOwnershipConflict(association.Id, association.CallingAE, decision.ToString());
            return refused;
        }
        // An identical re-send is synced too: the first rename may not be durable yet.
        var result = await _committer.KeepAsync(received,
            r => new IngestRecord(r, association.CallingAE, association.Id, DateTimeOffset.UtcNow, clinic)).ConfigureAwait(false);
        _signals.JobQueued();
        LogStored(association.Id, result.Outcome.ToString(), result.Size);
        return DimseStatus.Success;
    }

    /// <summary>PS3.7 C.4 0124 Refused: Not authorized (docs/conformance.md): the comment names the conflict, never the
    /// other clinic or any patient data.</summary>
    private static DimseStatus? Refusal(OwnershipDecision decision) => decision switch
    {
        OwnershipDecision.Granted => null,
        OwnershipDecision.StudyOwnedByAnotherClinic => DimseStatus.NotAuthorized.WithComment("study belongs to another clinic"),
        OwnershipDecision.SeriesOwnedByAnotherClinic => DimseStatus.NotAuthorized.WithComment("series belongs to another clinic"),
        OwnershipDecision.InstanceOwnedByAnotherClinic => DimseStatus.NotAuthorized.WithComment("SOP instance belongs to another clinic"),
        _ => DimseStatus.NotAuthorized.WithComment("not authorized"),
    };

    public void AssociationEnded(AssociationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        foreach (var (status, count) in record.StatusCounts)
        {
            _signals.ResponsesSent(status, count);
        }
        var statuses = string.Join(",", record.StatusCounts.Select(kv =>
            kv.Key.ToString("X4", CultureInfo.InvariantCulture) + ":" + kv.Value.ToString(CultureInfo.InvariantCulture)));
        var audit = new AssociationAudit(record.Info.Id, record.Info.CallingAE, record.Info.CalledAE, record.Info.Remote.ToString(),
            record.Info.Tls, record.Instances, record.Bytes, statuses, record.Outcome, record.Info.Started, record.Duration);
        // The observer is called on the association's task: the audit write must not hold it. It is tracked, so that
        // shutting down waits for it (FlushAuditsAsync) before the store is closed.
        var write = RecordAsync(audit);
        _auditWrites.TryAdd(write, 0);
        _ = write.ContinueWith(t => _auditWrites.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public ArchiveDurability Durability => _committer.Durability;

    /// <summary>Finishes the instances being committed and, in deferred durability, syncs what was acknowledged
    /// (shutdown, after the listener stopped).</summary>
    public ValueTask DisposeAsync() => _committer.DisposeAsync();

    /// <summary>Waits for the audit writes still in flight (shutdown, after the listener stopped).</summary>
    public Task FlushAuditsAsync() => Task.WhenAll(_auditWrites.Keys);

    private async Task RecordAsync(AssociationAudit audit)
    {
        try
        {
            await _store.RecordAssociationAsync(audit).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (_auditSpool is null)
            {
                LogAuditFailed(audit.Id, ex.Message);
                return;
            }
            LogAuditSpooled(audit.Id, ex.GetType().Name, ex.Message);
        }
        try
        {
            _auditSpool.Append(audit);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogAuditFailed(audit.Id, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Debug, Message = "association {AssociationId}: instance archived ({Outcome}, {Size} bytes)")]
    private partial void LogStored(string associationId, string outcome, long size);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "association {AssociationId}: instance from {CallingAE} refused 0124: {Conflict}")]
    private partial void LogOwnershipConflict(string associationId, string callingAE, string conflict);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Warning, Message = "association {AssociationId}: audit record kept in audit-pending until the store is back: {ErrorType}: {Error}")]
    private partial void LogAuditSpooled(string associationId, string errorType, string error);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "association {AssociationId}: audit record not written: {Error}")]
    private partial void LogAuditFailed(string associationId, string error);
}
