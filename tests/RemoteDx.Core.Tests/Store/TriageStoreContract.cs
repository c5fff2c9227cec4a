using RemoteDx.Core.Archive;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>The behaviour both stores promise. Each subclass runs every test on its own database.</summary>
public abstract partial class TriageStoreContract : IAsyncLifetime
{
    private readonly List<ITriageStore> _opened = [];

    protected ITriageStore Store { get; private set; } = null!;

    /// <summary>A new store object on the test's database (SQLite: a file; PostgreSQL: a database).</summary>
    protected abstract ITriageStore Open(TriageStoreOptions options);

    /// <summary>Stores that claim concurrently: PostgreSQL gets separate connections pools (as separate processes
    /// would); SQLite has one writer per file, so the same store.</summary>
    protected abstract ITriageStore PeerStore();

    protected ITriageStore Track(ITriageStore s)
    {
        _opened.Add(s);
        return s;
    }

    public async Task InitializeAsync()
    {
        Store = Track(Open(new TriageStoreOptions { QueueStatNotifications = true }));
        await Store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _opened.Distinct())
        {
            await s.DisposeAsync();
        }
    }

    protected static readonly TimeSpan LongLease = TimeSpan.FromMinutes(10);

    private async Task<ClaimedJob> ClaimOneAsync(string worker = "w1", TimeSpan? lease = null, int maxAttempts = 5)
    {
        var jobs = await Store.ClaimJobsAsync(worker, 1, lease ?? LongLease, maxAttempts);
        return Assert.Single(jobs);
    }

    /// <summary>Ingests one instance in a new study and scores it with <paramref name="score"/> (null: leave it queued).</summary>
    private async Task<string> StudyAsync(DateTimeOffset at, ImageScore? score, string clinic = "CLINIC_A")
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study, callingAe: clinic, at: at));
        if (score is not null)
        {
            var job = await ClaimOneAsync();
            Assert.True(await Store.CompleteJobAsync(job, score, []));
        }
        return study;
    }

    private static ImageScore Positive(float p, bool critical = false, float urgency = 1f, string label = "nodule") =>
        FixedScorer.Score(FixedScorer.Model("cxr", (label, p, true, critical, urgency)));

    [Fact]
    public async Task Migrations_run_again_without_change()
    {
        await Store.MigrateAsync();
        await using var second = Open(new TriageStoreOptions());
        await second.MigrateAsync();
        Assert.Equal(0, await Store.CountInstancesAsync());
        Assert.True(await Store.WorklistVersionAsync() >= 1);
    }

    [Fact]
    public async Task An_ingested_instance_is_indexed_with_its_job_in_the_same_commit()
    {
        var study = NewUid();
        var record = Instance(study);
        var before = await Store.WorklistVersionAsync();
        await Store.RecordInstanceAsync(record);
        Assert.Equal(1, await Store.CountInstancesAsync());
        var job = Assert.Single(await Store.UnfinishedJobsAsync());
        Assert.Equal(record.Archive.SopInstanceUid, job.SopInstanceUid);
        Assert.Equal(JobState.Pending, job.State);
        Assert.True(await Store.WorklistVersionAsync() > before);

        var page = await Store.WorklistAsync(new WorklistQuery());
        var item = Assert.Single(page.Items);
        Assert.Equal(study, item.StudyInstanceUid);
        Assert.Equal(StudyStatus.Scoring, item.Status);
        Assert.Equal(("DOE^JANE", "P1", "F", "054Y", "CLINIC_A", "Hill Clinic"), (item.PatientName, item.PatientId, item.PatientSex, item.PatientAge, item.Clinic, item.Institution));
        Assert.Equal(1, item.Instances);

        var detail = await Store.StudyAsync(study, Scope.All);
        Assert.NotNull(detail);
        Assert.Equal(("19700101", "A1"), (detail.PatientBirthDate, detail.AccessionNumber));
        var instance = Assert.Single(Assert.Single(detail.Series).Instances);
        Assert.Equal((2048, 2048, 1, "MONOCHROME2", 2048.0, 4096.0), (instance.Rows, instance.Columns, instance.Frames, instance.Photometric, instance.WindowCenter, instance.WindowWidth));
        Assert.Equal(JobState.Pending, instance.Job!.State);
    }

    [Fact]
    public async Task Identical_bytes_add_no_job_and_replaced_bytes_add_one_with_an_audit_event()
    {
        var study = NewUid();
        var first = Instance(study);
        await Store.RecordInstanceAsync(first);
        await Store.RecordInstanceAsync(first with { Archive = first.Archive with { Outcome = ArchiveOutcome.Identical } });
        Assert.Single(await Store.UnfinishedJobsAsync());
        await Store.RecordInstanceAsync(first with { Archive = first.Archive with { Outcome = ArchiveOutcome.Replaced } });
        Assert.Equal(2, (await Store.UnfinishedJobsAsync()).Count);
        Assert.Equal(1, await Store.CountInstancesAsync());
        var (audit, _) = await Store.AuditQueryAsync(first.Archive.SopInstanceUid, 1, 50);
        Assert.Contains(audit, e => e.Kind == "instance-replaced");
    }

    [Fact]
    public async Task A_claimed_job_is_leased_and_taken_over_only_after_the_lease_expires()
    {
        await Store.RecordInstanceAsync(Instance(NewUid()));
        var held = await ClaimOneAsync("w1");
        Assert.Equal(1, held.Attempts);
        Assert.Empty(await Store.ClaimJobsAsync("w2", 5, LongLease, 5));

        // An expired lease (a worker that died): another worker takes the job over, and the old holder can no longer
        // complete or fail it.
        await Store.RecordInstanceAsync(Instance(NewUid()));
        var dying = await ClaimOneAsync("w3", lease: TimeSpan.FromSeconds(-1));
        var taken = await ClaimOneAsync("w4");
        Assert.Equal(dying.Id, taken.Id);
        Assert.Equal(2, taken.Attempts);
        Assert.False(await Store.CompleteJobAsync(dying, Positive(0.9f), []));
        Assert.Null(await Store.FailJobAsync(dying, "late", 5, DateTimeOffset.UtcNow));
        Assert.True(await Store.CompleteJobAsync(taken, Positive(0.9f), []));
    }

    [Fact]
    public async Task Running_jobs_are_requeued_at_start_up_of_a_single_process_store()
    {
        await Store.RecordInstanceAsync(Instance(NewUid()));
        await ClaimOneAsync();
        Assert.Equal(1, await Store.RequeueRunningJobsAsync());
        var again = await ClaimOneAsync("w2");
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task A_failing_job_is_retried_after_its_backoff_and_failed_after_max_attempts_with_its_error()
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study));
        var job = await ClaimOneAsync(maxAttempts: 3);
        var f1 = await Store.FailJobAsync(job, "boom 1", 3, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(false, f1?.Permanent);
        Assert.Empty(await Store.ClaimJobsAsync("w1", 1, LongLease, 3)); // not due before its backoff
        var pending = Assert.Single(await Store.JobsAsync(JobState.Pending, 10));
        Assert.Equal(("boom 1", 1), (pending.Error, pending.Attempts));
        Assert.NotNull(pending.NotBefore);

        // Once the backoff has passed (moved to the past here) it is due again: attempt 2, then the last one fails for good.
        await ResetNotBeforeAsync(job.Id);
        job = await ClaimOneAsync(maxAttempts: 3);
        Assert.Equal(2, job.Attempts);
        await Store.FailJobAsync(job, "boom 2", 3, DateTimeOffset.UtcNow.AddSeconds(-1));
        job = await ClaimOneAsync(maxAttempts: 3);
        Assert.Equal(3, job.Attempts);
        var last = await Store.FailJobAsync(job, "boom 3", 3, DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal(true, last?.Permanent);
        Assert.Empty(await Store.ClaimJobsAsync("w1", 1, LongLease, 3));

        var failed = Assert.Single(await Store.JobsAsync(JobState.Failed, 10));
        Assert.Equal(("boom 3", 3), (failed.Error, failed.Attempts));
        var item = Assert.Single((await Store.WorklistAsync(new WorklistQuery())).Items);
        Assert.Equal((StudyStatus.Failed, 1), (item.Status, item.Failed));
        Assert.Equal(1, (await Store.JobCountsAsync())[JobState.Failed]);
    }

    /// <summary>Sets a job's retry time to the past (the test's stand-in for waiting out the backoff).</summary>
    protected abstract Task ResetNotBeforeAsync(long jobId);

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_job()
    {
        const int jobs = 120;
        var study = NewUid();
        for (var i = 0; i < jobs; i++)
        {
            await Store.RecordInstanceAsync(Instance(study));
        }
        var claimers = Enumerable.Range(0, 4).Select(i => i == 0 ? Store : PeerStore()).ToList();
        var claimed = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(claimers.Select((s, i) => Task.Run(async () =>
        {
            while (true)
            {
                var got = await s.ClaimJobsAsync("w" + i, 3, LongLease, 5);
                if (got.Count == 0)
                {
                    return;
                }
                foreach (var j in got)
                {
                    claimed.Add(j.Id);
                }
            }
        })));
        Assert.Equal(jobs, claimed.Count);
        Assert.Equal(jobs, claimed.Distinct().Count());
    }

    [Fact]
    public async Task The_worklist_ranks_STAT_first_then_priority_then_arrival_and_hides_nothing()
    {
        var moderate = await StudyAsync(T0.AddMinutes(2), Positive(0.9f, urgency: 0.5f)); // 0.45
        var stat = await StudyAsync(T0.AddMinutes(3), Positive(0.6f, critical: true));     // STAT, 0.6
        var high = await StudyAsync(T0.AddMinutes(4), Positive(0.8f));                     // 0.8
        var highLater = await StudyAsync(T0.AddMinutes(5), Positive(0.8f));                // 0.8, arrived later
        var notApplicable = await StudyAsync(T0.AddMinutes(6), new ImageScore([]));
        var negative = await StudyAsync(T0.AddMinutes(7), FixedScorer.Score(FixedScorer.Model("cxr", ("nodule", 0.2f, false, true, 1f))));
        var failed = NewUid();
        await Store.RecordInstanceAsync(Instance(failed, at: T0.AddMinutes(8)));
        var job = await ClaimOneAsync(maxAttempts: 1);
        Assert.Equal(true, (await Store.FailJobAsync(job, "cannot decode", 1, DateTimeOffset.UtcNow))?.Permanent);
        var scoring = await StudyAsync(T0.AddMinutes(1), null); // still queued (made last, so no claim above takes its job)

        var page = await Store.WorklistAsync(new WorklistQuery());
        Assert.Equal([stat, high, highLater, moderate, scoring, notApplicable, negative, failed], page.Items.Select(i => i.StudyInstanceUid));
        var byUid = page.Items.ToDictionary(i => i.StudyInstanceUid);
        Assert.True(byUid[stat].Stat);
        Assert.Equal(0.6, byUid[stat].Priority, 5);
        Assert.Equal(0.45, byUid[moderate].Priority, 5);
        Assert.Equal((StudyStatus.Scoring, 0.0), (byUid[scoring].Status, byUid[scoring].Priority));
        Assert.Equal((StudyStatus.New, 0.0, 0), (byUid[notApplicable].Status, byUid[notApplicable].Priority, byUid[notApplicable].Findings.Count));
        Assert.Equal(StudyStatus.Failed, byUid[failed].Status);
        Assert.Equal(StudyStatus.New, byUid[high].Status);
        var top = Assert.Single(byUid[stat].Findings);
        Assert.Equal(("nodule", true, true, "cxr"), (top.Label, top.Positive, top.Critical, top.Model));

        Assert.Equal([stat], (await Store.WorklistAsync(new WorklistQuery { Stat = true })).Items.Select(i => i.StudyInstanceUid));
        Assert.Equal([failed], (await Store.WorklistAsync(new WorklistQuery { Status = StudyStatus.Failed })).Items.Select(i => i.StudyInstanceUid));
        Assert.Equal(failed, (await Store.WorklistAsync(new WorklistQuery { Sort = WorklistSort.Received })).Items[0].StudyInstanceUid);
        var paged = await Store.WorklistAsync(new WorklistQuery { Page = 2, PageSize = 3 });
        Assert.Equal((8L, 2, 3), (paged.Total, paged.Page, paged.PageSize));
        Assert.Equal([moderate, scoring, notApplicable], paged.Items.Select(i => i.StudyInstanceUid));
        Assert.True(byUid[notApplicable].Instances == 1 && byUid[notApplicable].Scored == 1);
        var detail = await Store.StudyAsync(notApplicable, Scope.All);
        Assert.True(detail!.Series[0].Instances[0].NotApplicable);
    }

    [Fact]
    public async Task A_late_image_re_ranks_its_study()
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study, at: T0));
        Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), Positive(0.3f), []));
        var other = await StudyAsync(T0.AddMinutes(1), Positive(0.5f));
        Assert.Equal([other, study], (await Store.WorklistAsync(new WorklistQuery())).Items.Select(i => i.StudyInstanceUid));

        await Store.RecordInstanceAsync(Instance(study, at: T0.AddMinutes(2)));
        var scoring = (await Store.WorklistAsync(new WorklistQuery { Status = StudyStatus.Scoring })).Items;
        Assert.Equal([study], scoring.Select(i => i.StudyInstanceUid));
        Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), Positive(0.9f, label: "effusion"), []));
        var items = (await Store.WorklistAsync(new WorklistQuery())).Items;
        Assert.Equal([study, other], items.Select(i => i.StudyInstanceUid));
        Assert.Equal((2, 2, 0.9), (items[0].Instances, items[0].Scored, Math.Round(items[0].Priority, 5)));
        Assert.Equal(["effusion", "nodule"], items[0].Findings.Select(f => f.Label));
    }

    [Fact]
    public async Task Reviews_comments_and_the_reviewed_mark_persist_with_audit_events()
    {
        var first = await StudyAsync(T0, Positive(0.9f, critical: true));
        var second = await StudyAsync(T0.AddMinutes(1), Positive(0.4f));
        var finding = Assert.Single(Assert.Single(Assert.Single((await Store.StudyAsync(first, Scope.All))!.Series).Instances).Findings);
        Assert.Null(finding.Review);

        var reviewed = Assert.Single((await Store.ReviewFindingAsync(finding.Id, "confirmed", "dr_lee")).Findings);
        Assert.Equal(("confirmed", "dr_lee"), (reviewed.Review!.Decision, reviewed.Review.By));
        Assert.Equal(StudyStatus.InReview, (await Store.StudyAsync(first, Scope.All))!.Study.Status);
        var comment = await Store.AddCommentAsync(first, "dr_lee", "call the clinic");
        Assert.Equal("call the clinic", comment!.Text);
        Assert.Null(await Store.AddCommentAsync(NewUid(), "dr_lee", "no such study"));
        Assert.Equal(ReviewOutcome.NoSuchFinding, (await Store.ReviewFindingAsync(987654, "dismissed", "dr_lee")).Outcome);

        var (found, next) = await Store.MarkReviewedAsync(first, "dr_lee", Scope.All);
        Assert.True(found);
        Assert.Equal(second, next);
        var (_, none) = await Store.MarkReviewedAsync(second, "dr_lee", Scope.All);
        Assert.Null(none);

        // A new store object on the same database (a restart) sees all of it.
        await using var reopened = Open(new TriageStoreOptions());
        var detail = (await reopened.StudyAsync(first, Scope.All))!;
        Assert.Equal((StudyStatus.Reviewed, "dr_lee"), (detail.Study.Status, detail.ReviewedBy));
        Assert.Equal("confirmed", detail.Series[0].Instances[0].Findings[0].Review!.Decision);
        Assert.Equal("call the clinic", Assert.Single(detail.Comments).Text);
        var (audit, total) = await reopened.AuditQueryAsync(first, 1, 50);
        Assert.Equal(3, total);
        Assert.Equal(["study.reviewed", "study.commented", "finding.confirmed"], audit.Select(a => a.Kind));
        Assert.All(audit, a => Assert.Equal("dr_lee", a.Actor));
    }

    [Fact]
    public async Task A_clinic_scope_sees_only_its_own_studies()
    {
        var mine = await StudyAsync(T0, null, clinic: "CLINIC_A");
        var theirs = await StudyAsync(T0.AddMinutes(1), null, clinic: "CLINIC_B");
        var scope = new Scope(["CLINIC_A"]);
        Assert.Equal([mine], (await Store.WorklistAsync(new WorklistQuery { Scope = scope })).Items.Select(i => i.StudyInstanceUid));
        Assert.Equal([theirs], (await Store.WorklistAsync(new WorklistQuery { Clinic = "CLINIC_B" })).Items.Select(i => i.StudyInstanceUid));
        Assert.Empty((await Store.WorklistAsync(new WorklistQuery { Scope = new Scope([]) })).Items);
        Assert.NotNull(await Store.StudyAsync(mine, scope));
        Assert.Null(await Store.StudyAsync(theirs, scope));
        var sop = (await Store.StudyAsync(theirs, Scope.All))!.Series[0].Instances[0].SopInstanceUid;
        Assert.Null(await Store.InstanceAsync(sop, scope));
        Assert.NotNull(await Store.InstanceAsync(sop, Scope.All));
    }

    [Fact]
    public async Task Users_lock_out_after_consecutive_failures_and_sessions_expire()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(await Store.AddUserAsync(new UserRecord("ann", "hash1", Roles.Clinic, ["CLINIC_A", "CLINIC_B"], 0, null, now)));
        Assert.False(await Store.AddUserAsync(new UserRecord("ann", "other", Roles.Admin, [], 0, null, now)));
        var ann = (await Store.UserAsync("ann"))!;
        Assert.Equal((Roles.Clinic, "hash1"), (ann.Role, ann.PasswordHash));
        Assert.Equal(["CLINIC_A", "CLINIC_B"], ann.Clinics);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("ann", now, 5, TimeSpan.FromMinutes(15)));
            await Store.LoginFailedAsync("ann", now);
        }
        var fifth = await Store.BeginLoginAttemptAsync("ann", now, 5, TimeSpan.FromMinutes(15));
        await Store.LoginFailedAsync("ann", now);
        Assert.True(fifth.Granted);
        Assert.Equal(now.AddMinutes(15).ToUnixTimeSeconds(), fifth.LockedUntil!.Value.ToUnixTimeSeconds());
        Assert.Equal(now.AddMinutes(15).ToUnixTimeSeconds(), (await Store.UserAsync("ann"))!.LockedUntil!.Value.ToUnixTimeSeconds());
        Assert.False((await Store.BeginLoginAttemptAsync("ann", now.AddMinutes(1), 5, TimeSpan.FromMinutes(15))).Granted);
        await Store.ResetLoginFailuresAsync("ann");
        Assert.Null((await Store.UserAsync("ann"))!.LockedUntil);

        await Store.CreateSessionAsync(new SessionRecord("h1", "ann", "", [], "csrf1", now, now.AddHours(8)));
        await Store.CreateSessionAsync(new SessionRecord("h2", "ann", "", [], "csrf2", now.AddHours(-9), now.AddHours(-1)));
        var s = (await Store.SessionAsync("h1", now))!;
        Assert.Equal(("ann", Roles.Clinic, "csrf1"), (s.Username, s.Role, s.CsrfToken));
        Assert.Equal(["CLINIC_A", "CLINIC_B"], s.Clinics);
        Assert.Null(await Store.SessionAsync("h2", now));
        Assert.Null(await Store.SessionAsync("h1", now.AddHours(9)));
        Assert.True(await Store.SetPasswordAsync("ann", "hash2"));
        Assert.Null(await Store.SessionAsync("h1", now)); // a new password ends the old sessions
        await Store.CreateSessionAsync(new SessionRecord("h3", "ann", "", [], "csrf3", now, now.AddHours(8)));
        await Store.DeleteSessionAsync("h3");
        Assert.Null(await Store.SessionAsync("h3", now));
        Assert.Equal(["ann"], (await Store.UsersAsync()).Select(u => u.Username));
        var (audit, _) = await Store.AuditQueryAsync("ann", 1, 50);
        Assert.Contains(audit, a => a.Kind == "user.locked");
        Assert.Equal(5, audit.Count(a => a.Kind == "login.failed"));
    }

    [Fact]
    public async Task A_study_turning_STAT_queues_one_webhook_message_in_the_outbox()
    {
        var study = await StudyAsync(T0, Positive(0.95f, critical: true));
        await Store.RecordInstanceAsync(Instance(study));
        Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), Positive(0.97f, critical: true), []));
        var messages = await Store.ClaimOutboxAsync("n1", 10, LongLease);
        var m = Assert.Single(messages);
        Assert.Equal("study.stat", m.Kind);
        Assert.Contains(study, m.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain("DOE", m.Payload, StringComparison.Ordinal);
        await Store.OutboxFailedAsync(m.Id, "HTTP 500", 5, DateTimeOffset.UtcNow.AddSeconds(-1));
        var again = Assert.Single(await Store.ClaimOutboxAsync("n1", 10, LongLease));
        Assert.Equal(2, again.Attempts);
        await Store.OutboxSentAsync(again.Id);
        Assert.Empty(await Store.ClaimOutboxAsync("n1", 10, LongLease));
    }

    [Fact]
    public async Task Heatmaps_are_stored_with_the_findings()
    {
        var study = NewUid();
        var record = Instance(study);
        await Store.RecordInstanceAsync(record);
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 };
        Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), Positive(0.7f), [new HeatmapImage("cxr", "nodule", png)]));
        Assert.Equal(png, await Store.HeatmapAsync(record.Archive.SopInstanceUid, "cxr", "nodule"));
        Assert.Null(await Store.HeatmapAsync(record.Archive.SopInstanceUid, "cxr", "other"));
        var instance = (await Store.StudyAsync(study, Scope.All))!.Series[0].Instances[0];
        Assert.Equal(new HeatmapRef("cxr", "nodule"), Assert.Single(instance.Heatmaps));
        Assert.True(instance.Findings[0].HasHeatmap);
        Assert.Equal(JobState.Done, instance.Job!.State);
    }
}
