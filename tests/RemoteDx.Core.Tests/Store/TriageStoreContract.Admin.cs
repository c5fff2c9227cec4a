using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>The admin screens' store (issue 18 item 7): accounts, audit filters, retrying failed jobs and deliveries.</summary>
public abstract partial class TriageStoreContract
{
    private static UserRecord NewAccount(string name, string role, params string[] clinics) =>
        new(name, "hash-" + name, role, clinics, 0, null, DateTimeOffset.UtcNow);

    private async Task<SessionRecord> SessionForAsync(string name)
    {
        var user = (await Store.UserAsync(name))!;
        var now = DateTimeOffset.UtcNow;
        var session = new SessionRecord("token-" + NewUid(), name, user.Role, user.Clinics, "csrf", now, now.AddHours(1));
        await Store.CreateSessionAsync(session);
        return session;
    }

    [Fact]
    public async Task Disabling_a_user_ends_its_sessions_and_is_audited_with_the_admin_as_actor_and_enabling_it_again_restores_sign_in()
    {
        Assert.True(await Store.AddUserAsync(NewAccount("root", Roles.Admin), "setup"));
        Assert.True(await Store.AddUserAsync(NewAccount("dr_lee", Roles.Radiologist), "root"));
        var session = await SessionForAsync("dr_lee");
        Assert.NotNull(await Store.SessionAsync(session.TokenHash, DateTimeOffset.UtcNow));

        var change = await Store.UpdateUserAsync("dr_lee", new UserUpdate(Disabled: true), "root");
        Assert.Equal(UserChangeStatus.Changed, change.Status);
        Assert.True(change.User!.Disabled);
        Assert.True((await Store.UserAsync("dr_lee"))!.Disabled);
        Assert.Null(await Store.SessionAsync(session.TokenHash, DateTimeOffset.UtcNow));

        // A session created while disabled (e.g. by a login racing the change) is not honoured either.
        var late = await SessionForAsync("dr_lee");
        Assert.Null(await Store.SessionAsync(late.TokenHash, DateTimeOffset.UtcNow));

        Assert.Equal(UserChangeStatus.Changed, (await Store.UpdateUserAsync("dr_lee", new UserUpdate(Disabled: false), "root")).Status);
        Assert.False((await Store.UserAsync("dr_lee"))!.Disabled);
        var again = await SessionForAsync("dr_lee");
        Assert.NotNull(await Store.SessionAsync(again.TokenHash, DateTimeOffset.UtcNow));

        var (audit, _) = await Store.AuditQueryAsync(new AuditQuery { Subject = "dr_lee" });
        Assert.Equal(["user.enabled", "user.disabled", "user.added"], audit.Select(a => a.Kind));
        Assert.All(audit, a => Assert.Equal("root", a.Actor));
    }

    [Fact]
    public async Task The_last_enabled_admin_can_be_neither_disabled_nor_demoted_but_one_of_two_can()
    {
        Assert.True(await Store.AddUserAsync(NewAccount("root", Roles.Admin)));
        Assert.Equal(UserChangeStatus.LastAdmin, (await Store.UpdateUserAsync("root", new UserUpdate(Disabled: true), "root")).Status);
        Assert.Equal(UserChangeStatus.LastAdmin, (await Store.UpdateUserAsync("root", new UserUpdate(Role: Roles.Radiologist), "root")).Status);
        Assert.Equal(Roles.Admin, (await Store.UserAsync("root"))!.Role);
        Assert.False((await Store.UserAsync("root"))!.Disabled);

        // A disabled second admin does not count as one left.
        Assert.True(await Store.AddUserAsync(NewAccount("second", Roles.Admin)));
        Assert.Equal(UserChangeStatus.Changed, (await Store.UpdateUserAsync("second", new UserUpdate(Disabled: true), "root")).Status);
        Assert.Equal(UserChangeStatus.LastAdmin, (await Store.UpdateUserAsync("root", new UserUpdate(Role: Roles.Radiologist), "root")).Status);

        Assert.Equal(UserChangeStatus.Changed, (await Store.UpdateUserAsync("second", new UserUpdate(Disabled: false), "root")).Status);
        var demoted = await Store.UpdateUserAsync("root", new UserUpdate(Role: Roles.Radiologist), "root");
        Assert.Equal(UserChangeStatus.Changed, demoted.Status);
        Assert.Equal(Roles.Radiologist, (await Store.UserAsync("root"))!.Role);
        Assert.Equal(UserChangeStatus.NotFound, (await Store.UpdateUserAsync("nobody", new UserUpdate(Disabled: true), "second")).Status);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        Assert.True(await Store.AddUserAsync(NewAccount("ann", Roles.Admin)));
        Assert.True(await Store.AddUserAsync(NewAccount("bob", Roles.Admin)));
        var peer = PeerStore();
        var results = await Task.WhenAll(
            Task.Run(() => Store.UpdateUserAsync("ann", new UserUpdate(Role: Roles.Radiologist), "bob")),
            Task.Run(() => peer.UpdateUserAsync("bob", new UserUpdate(Role: Roles.Radiologist), "ann")));
        Assert.Single(results, r => r.Status == UserChangeStatus.Changed);
        Assert.Single(results, r => r.Status == UserChangeStatus.LastAdmin);
        Assert.Single(await Store.UsersAsync(), u => u.Role == Roles.Admin);
    }

    [Fact]
    public async Task Role_and_clinics_change_together_a_clinic_name_may_have_spaces_and_a_clinic_user_needs_one()
    {
        Assert.True(await Store.AddUserAsync(NewAccount("front_desk", Roles.Radiologist), "root"));
        var bad = await Store.UpdateUserAsync("front_desk", new UserUpdate(Role: Roles.Clinic), "root");
        Assert.Equal(UserChangeStatus.Invalid, bad.Status);
        Assert.Contains("at least one clinic", bad.Error, StringComparison.Ordinal);

        const string Long = "North Valley Imaging Centre, East Wing";
        var ok = await Store.UpdateUserAsync("front_desk", new UserUpdate(Role: Roles.Clinic, Clinics: [Long, "CLINIC_B"]), "root");
        Assert.Equal(UserChangeStatus.Changed, ok.Status);
        var user = (await Store.UserAsync("front_desk"))!;
        Assert.Equal(Roles.Clinic, user.Role);
        Assert.Equal([Long, "CLINIC_B"], user.Clinics);
        var session = await SessionForAsync("front_desk");
        Assert.Equal([Long, "CLINIC_B"], (await Store.SessionAsync(session.TokenHash, DateTimeOffset.UtcNow))!.Clinics);

        Assert.Equal(UserChangeStatus.Invalid, (await Store.UpdateUserAsync("front_desk", new UserUpdate(Clinics: ["A\\B"]), "root")).Status);
        // Back to radiologist: the clinics go with the role.
        Assert.Equal(UserChangeStatus.Changed, (await Store.UpdateUserAsync("front_desk", new UserUpdate(Role: Roles.Radiologist), "root")).Status);
        Assert.Empty((await Store.UserAsync("front_desk"))!.Clinics);

        var kinds = (await Store.AuditQueryAsync(new AuditQuery { Subject = "front_desk", Kind = "user" })).Items.Select(a => a.Kind).ToList();
        Assert.Equal(["user.clinics", "user.role", "user.clinics", "user.role", "user.added"], kinds);
    }

    [Fact]
    public async Task A_password_set_by_an_admin_ends_the_users_sessions_and_is_audited_with_the_admin()
    {
        Assert.True(await Store.AddUserAsync(NewAccount("dr_lee", Roles.Radiologist)));
        var session = await SessionForAsync("dr_lee");
        Assert.True(await Store.SetPasswordAsync("dr_lee", "new-hash", "root"));
        Assert.Null(await Store.SessionAsync(session.TokenHash, DateTimeOffset.UtcNow));
        Assert.Equal("new-hash", (await Store.UserAsync("dr_lee"))!.PasswordHash);
        var audit = (await Store.AuditQueryAsync(new AuditQuery { Kind = "user.password" })).Items;
        Assert.Equal(("dr_lee", "root"), (Assert.Single(audit).Subject, audit[0].Actor));
        Assert.False(await Store.SetPasswordAsync("nobody", "h", "root"));
    }

    [Fact]
    public async Task The_audit_trail_filters_by_kind_prefix_actor_subject_and_time_newest_first_and_pages()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AuditAsync("login", "dr_lee", "dr_lee", null);
        }
        await Store.AuditAsync("login.failed", "mallory", "mallory", null);
        await Store.AuditAsync("logout", "dr_lee", "dr_lee", null);
        await Store.AuditAsync("study.opened", "dr_lee", "1.2.3", null);

        var logins = await Store.AuditQueryAsync(new AuditQuery { Kind = "login" });
        Assert.Equal(6, logins.Total); // login and login.failed, not logout
        Assert.DoesNotContain(logins.Items, a => a.Kind == "logout");
        Assert.Equal(7, (await Store.AuditQueryAsync(new AuditQuery { Actor = "dr_lee" })).Total);
        Assert.Equal("study.opened", Assert.Single((await Store.AuditQueryAsync(new AuditQuery { Subject = "1.2.3" })).Items).Kind);
        Assert.Equal(5, (await Store.AuditQueryAsync(new AuditQuery { Kind = "login", Actor = "dr_lee" })).Total);

        var page1 = await Store.AuditQueryAsync(new AuditQuery { Actor = "dr_lee", PageSize = 3 });
        var page3 = await Store.AuditQueryAsync(new AuditQuery { Actor = "dr_lee", PageSize = 3, Page = 3 });
        Assert.Equal(("study.opened", "logout"), (page1.Items[0].Kind, page1.Items[1].Kind));
        Assert.Equal((7L, 1), (page3.Total, page3.Items.Count));
        Assert.True(page1.Items.Zip(page1.Items.Skip(1)).All(p => p.First.At >= p.Second.At));

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(8, (await Store.AuditQueryAsync(new AuditQuery { From = now.AddMinutes(-5), To = now.AddMinutes(5) })).Total);
        Assert.Equal(0, (await Store.AuditQueryAsync(new AuditQuery { From = now.AddMinutes(5) })).Total);
        Assert.Equal(0, (await Store.AuditQueryAsync(new AuditQuery { To = now.AddMinutes(-5) })).Total);
    }

    [Fact]
    public async Task A_failed_job_is_retried_with_fresh_attempts_once_the_study_scores_again_and_the_retry_is_audited()
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study));
        var job = await ClaimOneAsync(maxAttempts: 1);
        Assert.Equal(true, (await Store.FailJobAsync(job, "cannot decode", 1, DateTimeOffset.UtcNow))?.Permanent);
        Assert.Equal(StudyStatus.Failed, Assert.Single((await Store.WorklistAsync(new WorklistQuery())).Items).Status);
        var version = await Store.WorklistVersionAsync();

        Assert.Equal(RetryOutcome.Retried, await Store.RetryJobAsync(job.Id, "root"));
        var pending = Assert.Single(await Store.JobsAsync(JobState.Pending, 10));
        Assert.Equal((job.Id, 0, "cannot decode"), (pending.Id, pending.Attempts, pending.Error));
        Assert.Equal(StudyStatus.Scoring, Assert.Single((await Store.WorklistAsync(new WorklistQuery())).Items).Status);
        Assert.True(await Store.WorklistVersionAsync() > version);
        // Not failed any more: a second retry is refused; an unknown id is not found.
        Assert.Equal(RetryOutcome.NotRetryable, await Store.RetryJobAsync(job.Id, "root"));
        Assert.Equal(RetryOutcome.NotFound, await Store.RetryJobAsync(job.Id + 1000, "root"));

        var again = await ClaimOneAsync(maxAttempts: 1);
        Assert.Equal((job.Id, 1), (again.Id, again.Attempts));
        var audit = Assert.Single((await Store.AuditQueryAsync(new AuditQuery { Kind = "job.retried" })).Items);
        Assert.Equal(("root", study), (audit.Actor, audit.Subject));
    }

    [Fact]
    public async Task A_failed_delivery_is_listed_across_studies_with_its_clinic_and_retried_now_with_fresh_attempts()
    {
        var study = await StudyAsync(T0, Positive(0.9f), clinic: "CLINIC_B");
        var due = Assert.Single(await Store.ResultsDueAsync(TenSeconds, T0.AddSeconds(20), 10));
        Assert.True(await Store.RecordResultsAsync(due, [Report(study)], ["PACS_B@pacs:104"]));
        var claimed = Assert.Single(await Store.ClaimDeliveriesAsync("PACS_B@pacs:104", "w1", 10, LongLease));
        Assert.True((await Store.DeliveryFailedAsync(claimed.Id, "association refused", 1, DateTimeOffset.UtcNow)).Permanent);

        var row = Assert.Single(await Store.DeliveryQueueAsync(null, 100));
        Assert.Equal((study, "CLINIC_B", "failed", "association refused", 1),
            (row.StudyInstanceUid, row.Clinic, row.Delivery.State, row.Delivery.LastError, row.Delivery.Attempts));
        Assert.Single(await Store.DeliveryQueueAsync("failed", 100));
        Assert.Empty(await Store.DeliveryQueueAsync("sent", 100));

        Assert.Equal(RetryOutcome.Retried, await Store.RetryDeliveryAsync(claimed.Id, "root"));
        var pending = Assert.Single(await Store.DeliveryQueueAsync("pending", 100));
        Assert.Equal((0, (DateTimeOffset?)null), (pending.Delivery.Attempts, pending.Delivery.NextAttemptAt));
        var retried = Assert.Single(await Store.ClaimDeliveriesAsync("PACS_B@pacs:104", "w1", 10, LongLease));
        Assert.Equal(1, retried.Attempts);
        // Being sent: not retryable; sent: gone from the default list.
        Assert.Equal(RetryOutcome.NotRetryable, await Store.RetryDeliveryAsync(claimed.Id, "root"));
        await Store.DeliverySentAsync(claimed.Id);
        Assert.Empty(await Store.DeliveryQueueAsync(null, 100));
        Assert.Equal(RetryOutcome.NotFound, await Store.RetryDeliveryAsync(claimed.Id + 1000, "root"));
        var audit = Assert.Single((await Store.AuditQueryAsync(new AuditQuery { Kind = "delivery" })).Items);
        Assert.Equal(("delivery.retried", "root", study), (audit.Kind, audit.Actor, audit.Subject));
    }
}
