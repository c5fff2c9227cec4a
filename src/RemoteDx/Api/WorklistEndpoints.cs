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
    /// <summary>The worklist search text travels in this header, percent-encoded UTF-8 (encodeURIComponent), never in
    /// the URL: query strings end up in access logs, proxies and the browser's history.</summary>
    public const string SearchHeader = "X-RemoteDx-Search";

    private static readonly Dictionary<string, WorklistSort> Sorts = new(StringComparer.Ordinal)
    {
        ["priority"] = WorklistSort.Priority,
        ["received"] = WorklistSort.Received,
        ["patient"] = WorklistSort.Patient,
        ["modality"] = WorklistSort.Modality,
        ["clinic"] = WorklistSort.Clinic,
        ["status"] = WorklistSort.Status,
    };

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
        if (Text(q, "q") is not null || Text(q, "search") is not null)
        {
            return ApiJson.Error(400, $"send the search text in the {SearchHeader} header, not in the URL");
        }
        if (ctx.Request.Headers[SearchHeader].ToString() is { Length: > 0 } encoded)
        {
            if (PercentDecode(encoded) is not { } search)
            {
                return ApiJson.Error(400, $"{SearchHeader} must be percent-encoded UTF-8");
            }
            if (search.Length > 200)
            {
                return ApiJson.Error(400, "search text is limited to 200 characters");
            }
            query = query with { Search = search };
        }
        query = query with { Clinic = ClinicFilter(Text(q, "clinic"), options.Value), Modality = Text(q, "modality") };
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
        if (Text(q, "unreviewed") is { } unreviewed)
        {
            if (!bool.TryParse(unreviewed, out var b))
            {
                return ApiJson.Error(400, "unreviewed must be true or false");
            }
            query = query with { Unreviewed = b };
        }
        if (Text(q, "sort") is { } sort)
        {
            if (!Sorts.TryGetValue(sort, out var s))
            {
                return ApiJson.Error(400, "sort must be one of priority, received, patient, modality, clinic, status");
            }
            query = query with { Sort = s };
        }
        switch (Text(q, "dir"))
        {
            case null:
                break;
            case "asc":
                query = query with { Descending = false };
                break;
            case "desc":
                query = query with { Descending = true };
                break;
            default:
                return ApiJson.Error(400, "dir must be asc or desc");
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

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Percent-decoding as encodeURIComponent's inverse, strictly: a stray '%' or bytes that are not UTF-8 give
    /// null (Uri.UnescapeDataString would pass them through).</summary>
    internal static string? PercentDecode(string s)
    {
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !byte.TryParse(s.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    return null;
                }
                bytes.Add(b);
                i += 2;
            }
            else if (c > 0x7E || c < 0x20)
            {
                return null; // a header carries ASCII; anything else was not encoded
            }
            else
            {
                bytes.Add((byte)c);
            }
        }
        try
        {
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The clinic filter: a configured calling AE title (any case) stands for its clinic; anything else is
    /// matched by the store against clinic names and AE titles, case-insensitively.</summary>
    private static string? ClinicFilter(string? text, RemoteDxOptions options)
    {
        if (text is null)
        {
            return null;
        }
        var peer = options.Dicom.AllowedCallingAEs.FirstOrDefault(p => string.Equals(p.AeTitle.Trim(), text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (peer is not null)
        {
            return string.IsNullOrWhiteSpace(peer.Clinic) ? peer.AeTitle.Trim() : peer.Clinic.Trim();
        }
        var clinic = options.Dicom.AllowedCallingAEs.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.Clinic)
            && string.Equals(p.Clinic.Trim(), text.Trim(), StringComparison.OrdinalIgnoreCase));
        return clinic?.Clinic?.Trim() ?? text.Trim();
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
