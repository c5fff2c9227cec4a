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
        api.MapDelete("/findings/{id}/review", (HttpContext ctx, string id, ITriageStore store) =>
            DecideAsync(ctx, id, Decision.None, store)).RequireAuthorization(ApiPolicies.Reviewer);
        api.MapPost("/studies/{uid}/comments", CommentAsync).RequireAuthorization(ApiPolicies.Reviewer);
        api.MapPost("/studies/{uid}/reviewed", ReviewedAsync).RequireAuthorization(ApiPolicies.Reviewer);
    }

    private static Task<IResult> ReviewAsync(HttpContext ctx, string id, ReviewRequest? body, ITriageStore store) =>
        Decision.IsValid(body?.Decision)
            ? DecideAsync(ctx, id, body!.Decision!, store)
            : Task.FromResult(ApiJson.Error(400, "decision must be confirmed, dismissed or none"));

    /// <summary>The decision applies to the finding's label for the whole study (every image's finding of it); the
    /// answer is the finding asked about, as in the study detail, plus <c>findings</c>: the label's findings on every
    /// image.</summary>
    private static async Task<IResult> DecideAsync(HttpContext ctx, string id, string decision, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (!long.TryParse(id, out var findingId))
        {
            return ApiJson.Error(404, "no such finding");
        }
        var result = await store.ReviewFindingAsync(findingId, decision, s.Username, ctx.RequestAborted).ConfigureAwait(false);
        return result.Outcome switch
        {
            ReviewOutcome.NoSuchFinding => ApiJson.Error(404, "no such finding"),
            ReviewOutcome.BelowThreshold => ApiJson.Error(409, "no image's finding of this label reached its threshold: nothing to confirm or dismiss"),
            _ => Results.Json(ReviewJson.Decided(result.Findings, findingId)),
        };
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
