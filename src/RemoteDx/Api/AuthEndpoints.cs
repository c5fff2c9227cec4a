using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Security;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

internal sealed record LoginRequest(string? Username, string? Password);

/// <summary>POST /api/login, POST /api/logout, GET /api/me.</summary>
internal static class AuthEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(LoginRateLimit.Policy);
        api.MapPost("/logout", async (HttpContext ctx, ITriageStore store) =>
        {
            var s = Sessions.Current(ctx);
            await store.DeleteSessionAsync(s.TokenHash, ctx.RequestAborted).ConfigureAwait(false);
            await store.AuditAsync("logout", s.Username, s.Username, null, ctx.RequestAborted).ConfigureAwait(false);
            Sessions.ClearCookie(ctx);
            return Results.NoContent();
        });
        api.MapGet("/me", (HttpContext ctx) => Results.Json(ApiJson.Me(Sessions.Current(ctx))));
    }

    private static async Task<IResult> LoginAsync(HttpContext ctx, LoginRequest? body, ITriageStore store, IOptions<RemoteDxOptions> options)
    {
        var o = options.Value.Security;
        if (body is not { Username: { Length: > 0 and <= 128 } username, Password: { Length: > 0 and <= 1024 } password })
        {
            return ApiJson.Error(400, "username and password are required");
        }
        var ct = ctx.RequestAborted;
        var now = DateTimeOffset.UtcNow;
        // The attempt is counted before the (slow) verification, atomically, for known and unknown names alike: however
        // many arrive at once, at most LockoutFailures are verified per lock window, and none while locked.
        var attempt = await store.BeginLoginAttemptAsync(username, now, o.LockoutFailures, TimeSpan.FromMinutes(o.LockoutMinutes), ct).ConfigureAwait(false);
        if (!attempt.Granted)
        {
            return Locked(ctx, attempt.LockedUntil!.Value - now);
        }
        var user = await store.UserAsync(username, ct).ConfigureAwait(false);
        // An unknown name is verified against a dummy hash, so the answer takes as long either way.
        var verdict = user is null ? PasswordHasher.VerifyWithoutUser(password) : PasswordHasher.Verify(user.PasswordHash, password);
        if (user is null || verdict == PasswordVerdict.Failed)
        {
            await store.LoginFailedAsync(username, now, ct).ConfigureAwait(false);
            return attempt.LockedUntil is { } u ? Locked(ctx, u - now) : ApiJson.Error(401, "invalid username or password");
        }
        if (user.Disabled)
        {
            // Said only to someone who knows the password; counted like a failure, so it cannot be used to guess.
            await store.AuditAsync("login.disabled", username, username, null, ct).ConfigureAwait(false);
            return ApiJson.Error(403, "this account is disabled");
        }
        if (verdict == PasswordVerdict.SuccessRehashNeeded)
        {
            await store.SetPasswordAsync(username, PasswordHasher.Hash(password), ct).ConfigureAwait(false);
        }
        await store.ResetLoginFailuresAsync(username, ct).ConfigureAwait(false);
        var token = Sessions.NewToken();
        var session = new SessionRecord(Sessions.Hash(token), user.Username, user.Role, user.Clinics, Sessions.NewToken(), now, now.AddHours(o.SessionHours));
        await store.CreateSessionAsync(session, ct).ConfigureAwait(false);
        await store.AuditAsync("login", user.Username, user.Username, null, ct).ConfigureAwait(false);
        Sessions.SetCookie(ctx, token, options.Value);
        return Results.Json(ApiJson.Me(session));
    }

    private static IResult Locked(HttpContext ctx, TimeSpan left)
    {
        ctx.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(left.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ApiJson.Error(429, "account locked after too many failed logins; try again later");
    }
}
