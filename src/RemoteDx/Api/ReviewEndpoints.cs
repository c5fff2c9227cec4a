using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

internal sealed record ReviewRequest(string? Decision);

internal sealed record CommentRequest(string? Text);

/// <summary>Review actions (admin, radiologist). The audit trail and the job list: <see cref="AdminEndpoints"/>.</summary>
internal static class ReviewEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/findings/{id}/review", ReviewAsync).RequireAuthorization(ApiPolicies.Reviewer);
        api.MapPost("/studies/{uid}/comments", CommentAsync).RequireAuthorization(ApiPolicies.Reviewer);
        api.MapPost("/studies/{uid}/reviewed", ReviewedAsync).RequireAuthorization(ApiPolicies.Reviewer);
    }

    private static async Task<IResult> ReviewAsync(HttpContext ctx, string id, ReviewRequest? body, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (!long.TryParse(id, out var findingId))
        {
            return ApiJson.Error(404, "no such finding");
        }
        if (body?.Decision is not ("confirmed" or "dismissed"))
        {
            return ApiJson.Error(400, "decision must be confirmed or dismissed");
        }
        var f = await store.ReviewFindingAsync(findingId, body.Decision, s.Username, ctx.RequestAborted).ConfigureAwait(false);
        return f is null ? ApiJson.Error(404, "no such finding") : Results.Json(ApiJson.Finding(f));
    }

    private static async Task<IResult> CommentAsync(HttpContext ctx, string uid, CommentRequest? body, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        var text = body?.Text?.Trim();
        if (text is not { Length: > 0 and <= 10_000 })
        {
            return ApiJson.Error(400, "text is required (at most 10000 characters)");
        }
        var c = await store.AddCommentAsync(uid, s.Username, text, ctx.RequestAborted).ConfigureAwait(false);
        return c is null ? ApiJson.Error(404, "no such study") : Results.Json(ApiJson.Comment(c), statusCode: 201);
    }

    private static async Task<IResult> ReviewedAsync(HttpContext ctx, string uid, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        var (found, next) = await store.MarkReviewedAsync(uid, s.Username, Sessions.ScopeOf(s), ctx.RequestAborted).ConfigureAwait(false);
        return found ? Results.Json(new { next }) : ApiJson.Error(404, "no such study");
    }
}
