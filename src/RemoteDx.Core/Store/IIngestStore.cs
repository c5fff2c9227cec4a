using RemoteDx.Core.Archive;

namespace RemoteDx.Core.Store;

/// <summary>What the DICOM listener's handler commits for each archived instance: the index row and its scoring
/// job, in one transaction. <see cref="Clinic"/> is the owner a new study gets (null: the calling AE).</summary>
public sealed record IngestRecord(ArchiveResult Archive, string CallingAE, string AssociationId, DateTimeOffset ReceivedAt, string? Clinic = null);

/// <summary>One row of the association audit trail.</summary>
public sealed record AssociationAudit(
    string Id,
    string CallingAE,
    string CalledAE,
    string Peer,
    bool Tls,
    int Instances,
    long Bytes,
    string Statuses,
    string Outcome,
    DateTimeOffset Started,
    TimeSpan Duration);

public sealed record PendingJob(long Id, string SopInstanceUid, string State, int Attempts);

/// <summary>The index and job queue as the ingest path (the DICOM listener) sees them; the rest of the store is
/// <see cref="ITriageStore"/>, implemented on SQLite and PostgreSQL.</summary>
public interface IIngestStore : IAsyncDisposable
{
    Task MigrateAsync(CancellationToken ct = default);

    /// <summary>Before anything is archived: grants the claim when the instance's study, series and SOP Instance UID
    /// are unowned or the claiming clinic's, and makes a new study the clinic's; refuses it otherwise, with an
    /// <c>ownership-conflict</c> audit row. Check and claim are one commit: of two clinics racing for a new study, exactly
    /// one owns it.</summary>
    Task<OwnershipDecision> ClaimAsync(OwnershipClaim claim, CancellationToken ct = default);

    /// <summary>The clinic a study belongs to, or null when nobody stored it.</summary>
    Task<string?> StudyOwnerAsync(string studyInstanceUid, CancellationToken ct = default);

    /// <summary>Indexes an archived instance and queues its scoring job (unless the bytes were identical); durable
    /// when the task completes.</summary>
    Task RecordInstanceAsync(IngestRecord record, CancellationToken ct = default);

    /// <summary>Deferred durability (<see cref="TriageStoreOptions.DeferredSync"/>): makes every commit so far survive a
    /// power loss. Commits are durable when they complete otherwise, so this does nothing.</summary>
    Task SyncAsync(CancellationToken ct = default) => Task.CompletedTask;

    Task RecordAssociationAsync(AssociationAudit audit, CancellationToken ct = default);

    Task<IReadOnlyList<PendingJob>> UnfinishedJobsAsync(CancellationToken ct = default);

    Task<long> CountInstancesAsync(CancellationToken ct = default);

    /// <summary>The cheapest round trip that proves the database answers (the health monitor's probe); throws when it
    /// does not.</summary>
    Task PingAsync(CancellationToken ct = default) => CountInstancesAsync(ct);

    /// <summary>The health monitor's write probe: throws when the database cannot commit a write now. A full SQLite
    /// volume still answers reads (<see cref="PingAsync"/> passes) while every ingest commit fails with SQLITE_FULL.</summary>
    Task ProbeWriteAsync(CancellationToken ct = default) => PingAsync(ct);

    /// <summary>The local folder the database files live in (SQLite), whose free space the health monitor watches; null
    /// for a database server.</summary>
    string? DatabaseDirectory => null;
}
