namespace RemoteDx.Core.Store;

/// <summary>What the archive reconciler asks the index (Pipeline/ArchiveReconciler).</summary>
public abstract partial class SqlTriageStore
{
    /// <inheritdoc />
    public Task<IReadOnlySet<string>> IndexedInstancesAsync(string studyInstanceUid, CancellationToken ct = default) =>
        ReadAsync<IReadOnlySet<string>>(async conn =>
        {
            // instances_study index: one range scan per study folder.
            var rows = await QueryAsync(conn, null, "SELECT sop_instance_uid FROM instances WHERE study_instance_uid = @study",
                r => r.GetString(0), ct, ("@study", studyInstanceUid)).ConfigureAwait(false);
            return rows.ToHashSet(StringComparer.Ordinal);
        }, ct);
}
