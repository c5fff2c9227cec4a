using RemoteDx.Core.Store;
using RemoteDx.Core.Tests.Archive;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>A real store whose index commits and audit rows are recorded in the <see cref="EventLog"/> once durable.</summary>
public sealed class RecordingIngestStore(IIngestStore inner, EventLog log) : IIngestStore
{
    /// <summary>Time a commit takes before it starts (so an implementation that does not wait for it answers too early).</summary>
    public TimeSpan CommitDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Thrown by the next index commits instead of committing (a full or unreachable database).</summary>
    public Exception? CommitFailure { get; set; }

    /// <summary>Thrown by audit writes instead of writing.</summary>
    public Exception? AuditFailure { get; set; }

    public Task MigrateAsync(CancellationToken ct = default) => inner.MigrateAsync(ct);

    public Task<OwnershipDecision> ClaimAsync(OwnershipClaim claim, CancellationToken ct = default) => inner.ClaimAsync(claim, ct);

    public Task<string?> StudyOwnerAsync(string studyInstanceUid, CancellationToken ct = default) => inner.StudyOwnerAsync(studyInstanceUid, ct);

    public async Task RecordInstanceAsync(IngestRecord record, CancellationToken ct = default)
    {
        if (CommitDelay > TimeSpan.Zero)
        {
            await Task.Delay(CommitDelay, ct);
        }
        if (CommitFailure is { } failure)
        {
            throw failure;
        }
        await inner.RecordInstanceAsync(record, ct);
        log.Add($"commit {record.Archive.SopInstanceUid} {record.Archive.Outcome}");
    }

    public async Task SyncAsync(CancellationToken ct = default)
    {
        await inner.SyncAsync(ct);
        log.Add("index-sync");
    }

    public async Task RecordAssociationAsync(AssociationAudit audit, CancellationToken ct = default)
    {
        if (AuditFailure is { } failure)
        {
            throw failure;
        }
        await inner.RecordAssociationAsync(audit, ct);
        log.Add($"audit {audit.CallingAE} {audit.Outcome} {audit.Instances} {audit.Statuses}");
    }

    public Task<IReadOnlyList<PendingJob>> UnfinishedJobsAsync(CancellationToken ct = default) => inner.UnfinishedJobsAsync(ct);

    public Task<long> CountInstancesAsync(CancellationToken ct = default) => inner.CountInstancesAsync(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
