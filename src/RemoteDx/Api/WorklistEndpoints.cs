using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

/// <summary>GET /api/worklist, GET /api/studies/{uid} (GET /api/events: <see cref="EventsEndpoint"/>).</summary>
internal static class WorklistEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/worklist", WorklistAsync);
        api.MapGet("/studies/{uid}", StudyAsync);
    }

    private static async Task<IResult> WorklistAsync(HttpContext ctx, ITriageStore store, IOptions<RemoteDxOptions> options)
    {
        var q = ctx.Request.Query;
        var query = new WorklistQuery { Scope = Sessions.ScopeOf(Sessions.Current(ctx)) };
        if (Text(q, "status") is { } status)
        {
            if (!StudyStatus.IsValid(status))
            {
                return ApiJson.Error(400, "status must be one of scoring, new, in-review, reviewed, failed");
            }
            query = query with { Status = status };
        }
        query = query with { Clinic = Text(q, "clinic"), Modality = Text(q, "modality") };
        foreach (var (name, set) in new (string, Func<WorklistQuery, string, WorklistQuery>)[]
        {
            ("from", (w, d) => w with { From = d }),
            ("to", (w, d) => w with { To = d }),
        })
        {
            if (Text(q, name) is { } value)
            {
                if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return ApiJson.Error(400, $"{name} must be a date YYYY-MM-DD");
                }
                query = set(query, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            }
        }
        if (Text(q, "stat") is { } stat)
        {
            if (!bool.TryParse(stat, out var b))
            {
                return ApiJson.Error(400, "stat must be true or false");
            }
            query = query with { Stat = b };
        }
        switch (Text(q, "sort"))
        {
            case null or "priority":
                break;
            case "received":
                query = query with { Sort = WorklistSort.Received };
                break;
            default:
                return ApiJson.Error(400, "sort must be priority or received");
        }
        if (!Int(q, "page", 1, 1, 1_000_000, out var page) || !Int(q, "pageSize", 50, 1, 500, out var pageSize))
        {
            return ApiJson.Error(400, "page must be >= 1 and pageSize 1..500");
        }
        var view = await ReaderView.ForAsync(Sessions.Current(ctx), store, ctx.RequestAborted).ConfigureAwait(false);
        if (view.HidesAnyModelOutput(Sessions.Current(ctx)))
        {
            query = query with { Sort = WorklistSort.Received, Stat = null };
        }
        var result = await store.WorklistAsync(query with { Page = page, PageSize = pageSize }, ctx.RequestAborted).ConfigureAwait(false);
        var annotations = await store.StudyAnnotationsAsync([.. result.Items.Select(i => i.StudyInstanceUid)], ctx.RequestAborted).ConfigureAwait(false);
        var quiet = QuietPeriod.FromSeconds(options.Value.Worklist.QuietPeriodSeconds);
        var now = DateTimeOffset.UtcNow;
        return Results.Json(new
        {
            items = result.Items.Select(i => ReviewJson.Item(ApiJson.Item(i, quiet, now), i, annotations.GetValueOrDefault(i.StudyInstanceUid) ?? StudyAnnotations.Empty, view)),
            total = result.Total,
            page = result.Page,
            pageSize = result.PageSize,
            version = result.Version,
        });
    }

    private static async Task<IResult> StudyAsync(HttpContext ctx, string uid, ITriageStore store, IOptions<RemoteDxOptions> options)
    {
        var session = Sessions.Current(ctx);
        var detail = await store.StudyAsync(uid, Sessions.ScopeOf(session), ctx.RequestAborted).ConfigureAwait(false);
        if (detail is null)
        {
            return ApiJson.Error(404, "no such study");
        }
        await store.AuditAsync("study.opened", session.Username, uid, null, ctx.RequestAborted).ConfigureAwait(false);
        var notes = await store.ClinicalNotesAsync(uid, ctx.RequestAborted).ConfigureAwait(false);
        var view = await ReaderView.ForAsync(session, store, ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(ReviewJson.Study(ApiJson.Study(detail, QuietPeriod.FromSeconds(options.Value.Worklist.QuietPeriodSeconds), DateTimeOffset.UtcNow,
            deliveryErrors: session.Role is Roles.Admin or Roles.Radiologist), detail, notes, view));
    }

    internal static string? Text(IQueryCollection q, string name) => q.TryGetValue(name, out var v) && v.ToString() is { Length: > 0 } s ? s : null;

    internal static bool Int(IQueryCollection q, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (Text(q, name) is not { } s)
        {
            return true;
        }
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
