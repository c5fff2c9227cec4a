using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>DESIGN.md "Between clinics (ownership)": the claim both stores make before anything is archived.</summary>
public abstract partial class TriageStoreContract
{
    private static OwnershipClaim Claim(string study, string clinic, string? series = null, string? sop = null) =>
        new(study, series ?? study + ".1", sop ?? NewUid(), clinic, clinic, "assoc-" + clinic, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Two_clinics_racing_for_a_new_study_leave_exactly_one_owner()
    {
        var peer = PeerStore();
        for (var round = 0; round < 20; round++)
        {
            var study = NewUid();
            var a = Store.ClaimAsync(Claim(study, "CLINIC_A"));
            var b = peer.ClaimAsync(Claim(study, "CLINIC_B"));
            var decisions = await Task.WhenAll(a, b);
            Assert.Single(decisions, d => d == OwnershipDecision.Granted);
            Assert.Single(decisions, d => d == OwnershipDecision.StudyOwnedByAnotherClinic);
            var owner = await Store.StudyOwnerAsync(study);
            Assert.Equal(decisions[0] == OwnershipDecision.Granted ? "CLINIC_A" : "CLINIC_B", owner);
        }
    }

    [Fact]
    public async Task Another_clinic_is_refused_the_owners_study_series_and_instance_with_an_audit_row_and_the_owner_is_not()
    {
        var study = NewUid();
        var first = Instance(study, callingAe: "CLINIC_A");
        Assert.Equal(OwnershipDecision.Granted, await Store.ClaimAsync(Claim(study, "CLINIC_A", first.Archive.SeriesInstanceUid, first.Archive.SopInstanceUid)));
        await Store.RecordInstanceAsync(first);

        // The owner re-sends, replaces or adds a series: granted.
        Assert.Equal(OwnershipDecision.Granted, await Store.ClaimAsync(Claim(study, "CLINIC_A", first.Archive.SeriesInstanceUid, first.Archive.SopInstanceUid)));
        Assert.Equal(OwnershipDecision.Granted, await Store.ClaimAsync(Claim(study, "CLINIC_A", NewUid())));

        // Another clinic: a new series in the study, its series in a new study, its SOP instance anywhere.
        Assert.Equal(OwnershipDecision.StudyOwnedByAnotherClinic, await Store.ClaimAsync(Claim(study, "CLINIC_B", NewUid())));
        Assert.Equal(OwnershipDecision.SeriesOwnedByAnotherClinic, await Store.ClaimAsync(Claim(NewUid(), "CLINIC_B", first.Archive.SeriesInstanceUid)));
        Assert.Equal(OwnershipDecision.InstanceOwnedByAnotherClinic,
            await Store.ClaimAsync(Claim(NewUid(), "CLINIC_B", NewUid(), first.Archive.SopInstanceUid)));
        Assert.Equal("CLINIC_A", await Store.StudyOwnerAsync(study));

        var (audit, _) = await Store.AuditQueryAsync(null, 1, 50);
        var conflicts = audit.Where(e => e.Kind == "ownership-conflict").ToList();
        Assert.Equal(3, conflicts.Count);
        Assert.All(conflicts, e => Assert.Equal("CLINIC_B", e.Actor));
        Assert.Contains(conflicts, e => e.Subject == first.Archive.SopInstanceUid && e.Detail!.Contains("InstanceOwnedByAnotherClinic", StringComparison.Ordinal));
        Assert.DoesNotContain(conflicts, e => e.Detail!.Contains("DOE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_study_indexed_without_a_claim_belongs_to_its_clinic_or_calling_AE()
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study, callingAe: "CLINIC_A_CT") with { Clinic = "CLINIC_A" });
        Assert.Equal("CLINIC_A", await Store.StudyOwnerAsync(study));
        var other = NewUid();
        await Store.RecordInstanceAsync(Instance(other, callingAe: "CLINIC_C"));
        Assert.Equal("CLINIC_C", await Store.StudyOwnerAsync(other));
    }
}
