using RemoteDx.Core.Store;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Login lockout (issue 13): attempts are reserved before the password is verified, atomically, per name.</summary>
public abstract partial class TriageStoreContract
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Fifty_concurrent_login_attempts_on_one_name_grant_at_most_the_threshold()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(await Store.AddUserAsync(new UserRecord("bob", "hash", Roles.Radiologist, [], 0, null, now)));
        var peer = PeerStore();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => (i % 2 == 0 ? Store : peer).BeginLoginAttemptAsync("bob", now, 5, Window))));

        Assert.Equal(5, attempts.Count(a => a.Granted));
        var last = Assert.Single(attempts, a => a.Granted && a.LockedUntil is not null);
        Assert.Equal(now.Add(Window).ToUnixTimeSeconds(), last.LockedUntil!.Value.ToUnixTimeSeconds());
        Assert.All(attempts.Where(a => !a.Granted), a => Assert.Equal(last.LockedUntil.Value.ToUnixTimeSeconds(), a.LockedUntil!.Value.ToUnixTimeSeconds()));
        Assert.Equal(5, (await Store.UserAsync("bob"))!.FailedLogins);
        Assert.Single((await Store.AuditQueryAsync("bob", 1, 50)).Items, a => a.Kind == "user.locked");
    }

    [Fact]
    public async Task A_name_with_no_user_is_counted_and_locked_like_a_user()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("ghost", now, 3, Window));
        }
        Assert.Equal(now.Add(Window).ToUnixTimeSeconds(), (await Store.BeginLoginAttemptAsync("ghost", now, 3, Window)).LockedUntil!.Value.ToUnixTimeSeconds());
        Assert.False((await Store.BeginLoginAttemptAsync("ghost", now.AddMinutes(14), 3, Window)).Granted);
        Assert.Null(await Store.UserAsync("ghost"));
        // Other names are not affected.
        Assert.True((await Store.BeginLoginAttemptAsync("ghost2", now, 3, Window)).Granted);
    }

    [Fact]
    public async Task A_lock_ends_after_its_window_and_a_success_forgets_the_failures()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Store.BeginLoginAttemptAsync("carol", now, 3, Window)).Granted);
        }
        Assert.False((await Store.BeginLoginAttemptAsync("carol", now.AddMinutes(14), 3, Window)).Granted);
        // After the window: a fresh count.
        var later = now.AddMinutes(16);
        Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("carol", later, 3, Window));
        Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("carol", later, 3, Window));
        await Store.ResetLoginFailuresAsync("carol");
        Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("carol", later, 3, Window));
        Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("carol", later, 3, Window));
        Assert.NotNull((await Store.BeginLoginAttemptAsync("carol", later, 3, Window)).LockedUntil);
    }

    [Fact]
    public async Task Failures_older_than_one_lock_window_are_forgotten()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True((await Store.BeginLoginAttemptAsync("dave", now, 2, Window)).Granted);
        Assert.Equal(new LoginAttempt(true, null), await Store.BeginLoginAttemptAsync("dave", now.AddMinutes(16), 2, Window));
        Assert.NotNull((await Store.BeginLoginAttemptAsync("dave", now.AddMinutes(17), 2, Window)).LockedUntil);
    }
}
