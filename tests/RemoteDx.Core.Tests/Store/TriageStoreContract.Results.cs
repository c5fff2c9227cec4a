using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

public abstract partial class TriageStoreContract
{
    private static readonly QuietPeriod TenSeconds = QuietPeriod.FromSeconds(10);

    private static ResultObject Report(string study, string kind = ResultKind.Report, int number = 1) =>
        new(NewUid(), study, study + ".9901", "1.2.840.10008.5.1.4.1.1.88.33", kind, "cxr", "SR", 9901, "AI triage results (RemoteDx)", number,
            "/archive/" + study + "/sr.dcm", T0);

    [Fact]
    public async Task Results_are_due_once_every_job_is_done_and_the_quiet_period_passed_and_recording_them_queues_deliveries_without_a_job()
    {
        var study = await StudyAsync(T0, Positive(0.9f));
        var queued = NewUid();
        await Store.RecordInstanceAsync(Instance(queued, at: T0));
        Assert.Empty(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(5), 10));
        var due = Assert.Single(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        Assert.Equal((study, false), (due.StudyInstanceUid, due.Verified));

        var context = await Store.ResultContextAsync(study);
        Assert.NotNull(context);
        Assert.Equal("CLINIC_A", context.Clinic);
        Assert.Single(Assert.Single(context.Sources).Findings);

        var report = Report(study);
        var instances = await Store.CountInstancesAsync();
        Assert.True(await Store.RecordResultsAsync(due, [report], ["PACS_A@pacs:104"]));
        Assert.False(await Store.RecordResultsAsync(due, [Report(study)], ["PACS_A@pacs:104"]));
        Assert.Empty(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        // A result is the hub's: no received instance, no scoring job.
        Assert.Equal(instances, await Store.CountInstancesAsync());
        Assert.Single(await Store.UnfinishedJobsAsync());
        var detail = await Store.StudyAsync(study, Scope.All);
        Assert.Equal(report.SopInstanceUid, Assert.Single(detail!.Results).SopInstanceUid);
        var delivery = Assert.Single(detail.Deliveries);
        Assert.Equal(("PACS_A@pacs:104", JobState.Pending, ResultKind.Report, 0), (delivery.Destination, delivery.State, delivery.Kind, delivery.Attempts));
    }

    [Fact]
    public async Task A_review_makes_the_verified_report_due_once_and_a_new_score_makes_the_report_due_again()
    {
        var study = await StudyAsync(T0, Positive(0.9f));
        var due = Assert.Single(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        Assert.True(await Store.RecordResultsAsync(due, [Report(study)], []));

        await Store.MarkReviewedAsync(study, "dr_lee", Scope.All);
        var verified = Assert.Single(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        Assert.True(verified.Verified);
        var context = await Store.ResultContextAsync(study);
        Assert.Equal("dr_lee", context!.ReviewedBy);
        Assert.True(await Store.RecordResultsAsync(verified, [Report(study, ResultKind.VerifiedReport, 2)], []));
        Assert.Empty(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));

        // A new image of the study is scored: the report is due again.
        await Store.RecordInstanceAsync(Instance(study, at: T0.AddSeconds(1)));
        Assert.Empty(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        var job = await ClaimOneAsync();
        Assert.True(await Store.CompleteJobAsync(job, Positive(0.2f), []));
        var again = Assert.Single(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        Assert.False(again.Verified);
        Assert.Equal(2, (await Store.ResultContextAsync(study))!.Results.Count);
    }

    [Fact]
    public async Task A_delivery_is_retried_after_its_backoff_and_failed_for_good_after_the_last_attempt()
    {
        var study = await StudyAsync(T0, Positive(0.9f));
        var due = Assert.Single(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        Assert.True(await Store.RecordResultsAsync(due, [Report(study), Report(study, ResultKind.Heatmap)], ["A@h:1", "B@h:2"]));

        Assert.Empty(await Store.ClaimDeliveriesAsync("C@h:3", "w1", 10, LongLease));
        var claimed = await Store.ClaimDeliveriesAsync("A@h:1", "w1", 10, LongLease);
        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, d => Assert.Equal(1, d.Attempts));
        Assert.Empty(await Store.ClaimDeliveriesAsync("A@h:1", "w2", 10, LongLease));

        await Store.DeliverySentAsync(claimed[0].Id);
        var failure = await Store.DeliveryFailedAsync(claimed[1].Id, "association failed: refused", 2, DateTimeOffset.UtcNow.AddHours(1));
        Assert.False(failure.Permanent);
        Assert.Empty(await Store.ClaimDeliveriesAsync("A@h:1", "w1", 10, LongLease));
        failure = await Store.DeliveryFailedAsync(claimed[1].Id, "still refused", 1, DateTimeOffset.UtcNow);
        Assert.True(failure.Permanent);

        var deliveries = await Store.DeliveriesAsync(study);
        Assert.Equal(4, deliveries.Count);
        Assert.Equal("sent", deliveries.Single(d => d.Id == claimed[0].Id).State);
        var failed = deliveries.Single(d => d.Id == claimed[1].Id);
        Assert.Equal(("failed", "still refused"), (failed.State, failed.LastError));
        Assert.All(deliveries.Where(d => d.Destination == "B@h:2"), d => Assert.Equal("pending", d.State));
    }
}
