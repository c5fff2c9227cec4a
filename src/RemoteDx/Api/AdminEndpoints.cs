using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Security;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

internal sealed record NewUserRequest(string? Username, string? Role, string[]? Clinics, string? Password);

internal sealed record UserChangeRequest(string? Role, string[]? Clinics, bool? Disabled);

internal sealed record PasswordRequest(string? Password);

/// <summary>The admin screens' API (docs/api.md "Admin"): accounts, the audit trail with filters, scoring jobs, result
/// deliveries and the quarantine folder. Everything under /api/admin needs the admin role (403 otherwise) and, when it
/// changes something, the CSRF token like the rest of /api; every change is audited with the admin as actor. Passwords
/// are never logged, and a generated one is answered once and never stored in clear.</summary>
internal static partial class AdminEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        // The audit trail as it was (reviewers), now with filters; the admin screen's copy is admin-only.
        api.MapGet("/audit", AuditAsync).RequireAuthorization(ApiPolicies.Reviewer);
        api.MapGet("/jobs", JobsAsync).RequireAuthorization(ApiPolicies.Admin);

        var admin = api.MapGroup("/admin").RequireAuthorization(ApiPolicies.Admin);
        admin.MapGet("/users", UsersAsync);
        admin.MapPost("/users", AddUserAsync);
        admin.MapPatch("/users/{username}", ChangeUserAsync);
        admin.MapPost("/users/{username}/password", ResetPasswordAsync);
        admin.MapGet("/audit", AuditAsync);
        admin.MapGet("/jobs", JobsAsync);
        admin.MapPost("/jobs/{id}/retry", RetryJobAsync);
        admin.MapGet("/deliveries", DeliveriesAsync);
        admin.MapPost("/deliveries/{id}/retry", RetryDeliveryAsync);
        admin.MapGet("/quarantine", QuarantineAsync);
        admin.MapDelete("/quarantine/{name}", DeleteQuarantinedAsync);
    }

    // ---------------------------------------------------------------- users

    private static object UserJson(UserRecord u) => new
    {
        username = u.Username,
        role = u.Role,
        clinics = u.Clinics,
        disabled = u.Disabled,
        lockedUntil = u.LockedUntil is { } l && l > DateTimeOffset.UtcNow ? l : (DateTimeOffset?)null,
        createdAt = u.CreatedAt,
    };

    private static async Task<IResult> UsersAsync(HttpContext ctx, ITriageStore store)
    {
        var users = await store.UsersAsync(ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(new { items = users.Select(UserJson) });
    }

    private static async Task<IResult> AddUserAsync(HttpContext ctx, NewUserRequest? body, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (body?.Username is not { } username || !AccountRules.IsValidUsername(username))
        {
            return ApiJson.Error(400, "username: 1-64 letters, digits, . _ - @");
        }
        var role = body.Role ?? "";
        var clinics = (body.Clinics ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (AccountRules.RoleClinicsError(role, clinics) is { } error)
        {
            return ApiJson.Error(400, error);
        }
        var (password, generated) = PasswordOf(body.Password);
        if (password is null)
        {
            return ApiJson.Error(400, $"password: {PasswordHasher.MinimumLength}-1024 characters (or none, for a generated one)");
        }
        var user = new UserRecord(username, PasswordHasher.Hash(password), role, clinics, 0, null, DateTimeOffset.UtcNow);
        if (!await store.AddUserAsync(user, s.Username, ctx.RequestAborted).ConfigureAwait(false))
        {
            return ApiJson.Error(409, $"user '{username}' exists");
        }
        return Results.Json(new { user = UserJson(user), password = generated ? password : null }, statusCode: 201);
    }

    private static async Task<IResult> ChangeUserAsync(HttpContext ctx, string username, UserChangeRequest? body, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (body is null || (body.Role is null && body.Clinics is null && body.Disabled is null))
        {
            return ApiJson.Error(400, "send role, clinics and/or disabled");
        }
        var update = new UserUpdate(body.Role, body.Clinics?.Distinct(StringComparer.Ordinal).ToList(), body.Disabled);
        var change = await store.UpdateUserAsync(username, update, s.Username, ctx.RequestAborted).ConfigureAwait(false);
        return change.Status switch
        {
            UserChangeStatus.Changed => Results.Json(UserJson(change.User!)),
            UserChangeStatus.NotFound => ApiJson.Error(404, "no such user"),
            UserChangeStatus.LastAdmin => ApiJson.Error(409, "refused: no enabled admin would be left"),
            _ => ApiJson.Error(400, change.Error ?? "invalid change"),
        };
    }

    private static async Task<IResult> ResetPasswordAsync(HttpContext ctx, string username, PasswordRequest? body, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        var (password, generated) = PasswordOf(body?.Password);
        if (password is null)
        {
            return ApiJson.Error(400, $"password: {PasswordHasher.MinimumLength}-1024 characters (or none, for a generated one)");
        }
        if (!await store.SetPasswordAsync(username, PasswordHasher.Hash(password), s.Username, ctx.RequestAborted).ConfigureAwait(false))
        {
            return ApiJson.Error(404, "no such user");
        }
        return Results.Json(new { username, password = generated ? password : null });
    }

    // Letters and digits a person can copy without confusing 0/O or 1/l/I.
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>The admin's password, or a generated one (null or empty given); null when the given one is too short/long.</summary>
    private static (string? Password, bool Generated) PasswordOf(string? given) => given switch
    {
        null or "" => (RandomNumberGenerator.GetString(Alphabet, 16), true),
        { Length: var n } when n >= PasswordHasher.MinimumLength && n <= 1024 => (given, false),
        _ => (null, false),
    };

    // ---------------------------------------------------------------- audit

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}$")]
    private static partial Regex KindPattern();

    private static async Task<IResult> AuditAsync(HttpContext ctx, ITriageStore store)
    {
        var q = ctx.Request.Query;
        if (!WorklistEndpoints.Int(q, "page", 1, 1, 1_000_000, out var page) || !WorklistEndpoints.Int(q, "pageSize", 50, 1, 500, out var pageSize))
        {
            return ApiJson.Error(400, "page must be >= 1 and pageSize 1..500");
        }
        var kind = WorklistEndpoints.Text(q, "kind");
        if (kind is not null && !KindPattern().IsMatch(kind))
        {
            return ApiJson.Error(400, "kind: lower-case words with . _ -, e.g. user or login.failed");
        }
        if (!Instant(q, "from", out var from) || !Instant(q, "to", out var to))
        {
            return ApiJson.Error(400, "from and to are ISO 8601 times, e.g. 2026-12-06T00:00:00Z");
        }
        if (from is not null && to is not null && to <= from)
        {
            return ApiJson.Error(400, "to must be after from");
        }
        var query = new AuditQuery
        {
            Kind = kind,
            Actor = WorklistEndpoints.Text(q, "actor"),
            // `study` is the older name of the subject filter.
            Subject = WorklistEndpoints.Text(q, "subject") ?? WorklistEndpoints.Text(q, "study"),
            From = from,
            To = to,
            Page = page,
            PageSize = pageSize,
        };
        var (items, total) = await store.AuditQueryAsync(query, ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(new
        {
            items = items.Select(a => new { at = a.At, kind = a.Kind, actor = a.Actor, subject = a.Subject, detail = a.Detail }),
            total,
            page,
            pageSize,
        });
    }

    private static bool Instant(IQueryCollection q, string name, out DateTimeOffset? value)
    {
        value = null;
        if (WorklistEndpoints.Text(q, name) is not { } s)
        {
            return true;
        }
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return false;
        }
        value = t;
        return true;
    }

    // ---------------------------------------------------------------- jobs

    private static async Task<IResult> JobsAsync(HttpContext ctx, ITriageStore store)
    {
        var state = WorklistEndpoints.Text(ctx.Request.Query, "state");
        if (state is not null && !JobState.IsValid(state))
        {
            return ApiJson.Error(400, "state must be pending, running, done or failed");
        }
        var jobs = await store.JobsAsync(state, 500, ctx.RequestAborted).ConfigureAwait(false);
        var counts = await store.JobCountsAsync(ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(new { items = jobs.Select(ApiJson.JobRow), counts });
    }

    private static async Task<IResult> RetryJobAsync(HttpContext ctx, string id, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var jobId))
        {
            return ApiJson.Error(404, "no such job");
        }
        var outcome = await store.RetryJobAsync(jobId, s.Username, ctx.RequestAborted).ConfigureAwait(false);
        if (outcome == RetryOutcome.Retried)
        {
            // Idle workers take it now rather than at their next poll.
            ctx.RequestServices.GetService<JobSignal>()?.Pulse();
        }
        return Outcome(outcome, "job", "only a failed job (its image's latest) can be retried");
    }

    private static IResult Outcome(RetryOutcome outcome, string what, string notRetryable) => outcome switch
    {
        RetryOutcome.Retried => Results.Json(new { retried = true }),
        RetryOutcome.NotFound => ApiJson.Error(404, $"no such {what}"),
        _ => ApiJson.Error(409, notRetryable),
    };

    // ---------------------------------------------------------------- deliveries

    private static readonly string[] DeliveryStates = ["pending", "sending", "sent", "failed"];

    private static async Task<IResult> DeliveriesAsync(HttpContext ctx, ITriageStore store)
    {
        var state = WorklistEndpoints.Text(ctx.Request.Query, "state");
        if (state is not null && !DeliveryStates.Contains(state, StringComparer.Ordinal))
        {
            return ApiJson.Error(400, "state must be pending, sending, sent or failed");
        }
        var rows = await store.DeliveryQueueAsync(state, 500, ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(new
        {
            items = rows.Select(r => new
            {
                id = r.Delivery.Id,
                studyInstanceUid = r.StudyInstanceUid,
                clinic = r.Clinic,
                destination = r.Delivery.Destination,
                sopInstanceUid = r.Delivery.SopInstanceUid,
                kind = r.Delivery.Kind,
                status = r.Delivery.State,
                attempts = r.Delivery.Attempts,
                lastError = r.Delivery.LastError,
                updatedAt = r.Delivery.UpdatedAt,
                nextAttemptAt = r.Delivery.NextAttemptAt,
            }),
        });
    }

    private static async Task<IResult> RetryDeliveryAsync(HttpContext ctx, string id, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deliveryId))
        {
            return ApiJson.Error(404, "no such delivery");
        }
        var outcome = await store.RetryDeliveryAsync(deliveryId, s.Username, ctx.RequestAborted).ConfigureAwait(false);
        return Outcome(outcome, "delivery", "only a failed or pending delivery can be retried");
    }

    // ---------------------------------------------------------------- quarantine

    private static string DataDirectory(HttpContext ctx) =>
        Path.GetFullPath(ctx.RequestServices.GetRequiredService<IOptions<RemoteDxOptions>>().Value.DataDirectory);

    private static IResult QuarantineAsync(HttpContext ctx) => Results.Json(new
    {
        items = QuarantineListing.Read(DataDirectory(ctx)).Select(i => new
        {
            name = i.Name,
            size = i.Size,
            quarantinedAt = i.QuarantinedAt,
            originalPath = i.OriginalPath,
            reason = i.Reason,
        }),
    });

    private static async Task<IResult> DeleteQuarantinedAsync(HttpContext ctx, string name, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (!QuarantineListing.Delete(DataDirectory(ctx), name))
        {
            return ApiJson.Error(404, "no such quarantined instance");
        }
        await store.AuditAsync("quarantine.deleted", s.Username, name, null, ctx.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }
}
