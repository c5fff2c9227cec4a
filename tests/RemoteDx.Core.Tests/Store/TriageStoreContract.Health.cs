using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Issue 14: what the health monitor and the archive reconciler ask of either store.</summary>
public abstract partial class TriageStoreContract
{
    [Fact]
    public async Task IndexedInstancesAsync_returns_exactly_the_study_s_SOP_Instance_UIDs()
    {
        var study = NewUid();
        var other = NewUid();
        var sops = new[] { NewUid(), NewUid(), NewUid() };
        foreach (var sop in sops)
        {
            await Store.RecordInstanceAsync(Instance(study, sop: sop));
        }
        await Store.RecordInstanceAsync(Instance(other));

        var indexed = await Store.IndexedInstancesAsync(study);
        Assert.Equal(sops.Order(StringComparer.Ordinal), indexed.Order(StringComparer.Ordinal));
        Assert.Empty(await Store.IndexedInstancesAsync(NewUid()));
    }

    [Fact]
    public async Task The_write_probe_commits_on_a_writable_database_and_again_on_the_next_round()
    {
        await Store.ProbeWriteAsync();
        await Store.ProbeWriteAsync();
        // The probe leaves the index as it was.
        Assert.Equal(0, await Store.CountInstancesAsync());
    }
}
