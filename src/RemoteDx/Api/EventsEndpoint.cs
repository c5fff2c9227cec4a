using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

/// <summary>GET /api/events (SSE): `event: worklist` whenever the caller's worklist changes. A user with every study in
/// scope hears every change of the store's worklist version; a clinic user only changes to its clinics' studies (the
/// version still moves for everyone, so each move is checked against a digest of what the user's worklist shows).
/// Alerts follow the worklist event that carries them: `event: stat` {studyInstanceUid, clinic} for each study that
/// became STAT since the stream opened (radiologists and admins), `event: reviewed` {studyInstanceUid} for each of a
/// clinic user's studies that became reviewed. Neither names the patient.</summary>
internal static class EventsEndpoint
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    // A clinic's worklist is digested up to this many studies, newest first; older ones rarely change.
    private const int DigestPageSize = 500;
    private const int DigestPages = 20;

    // The newest STAT studies compared between changes; an older study turning STAT is rare and still re-sorts the list.
    private const int StatWindow = 200;

    public static void Map(RouteGroupBuilder api) => api.MapGet("/events", EventsAsync);

    private static async Task EventsAsync(HttpContext ctx, WorklistWatcher watcher, ITriageStore store, IOptions<RemoteDxOptions> options,
        IHostApplicationLifetime lifetime)
    {
        // Ends with the client or when serve stops (an open stream must not hold up shutdown).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);
        var ct = linked.Token;
        var scope = Sessions.ScopeOf(Sessions.Current(ctx));
        var quiet = QuietPeriod.FromSeconds(options.Value.Worklist.QuietPeriodSeconds);
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            var seen = watcher.Version;
            var clinicUser = scope.Clinics is not null;
            string? digest = null;
            Dictionary<string, string> alerts;
            if (clinicUser)
            {
                (digest, alerts) = await DigestAsync(store, scope, quiet, ct).ConfigureAwait(false);
            }
            else
            {
                alerts = await StatStudiesAsync(store, scope, ct).ConfigureAwait(false);
            }
            await SendAsync(ctx, seen, ct).ConfigureAwait(false);
            var quietFor = Stopwatch.StartNew();
            while (!ct.IsCancellationRequested)
            {
                var version = await watcher.WaitForChangeAsync(seen, KeepAlive, ct).ConfigureAwait(false);
                if (version != seen)
                {
                    seen = version;
                    var changed = true;
                    Dictionary<string, string> now;
                    if (clinicUser)
                    {
                        (var nowDigest, now) = await DigestAsync(store, scope, quiet, ct).ConfigureAwait(false);
                        changed = nowDigest != digest;
                        digest = nowDigest;
                    }
                    else
                    {
                        now = await StatStudiesAsync(store, scope, ct).ConfigureAwait(false);
                    }
                    if (changed)
                    {
                        await SendAsync(ctx, version, ct).ConfigureAwait(false);
                        foreach (var (uid, clinic) in now.Where(n => !alerts.ContainsKey(n.Key)))
                        {
                            await SendAlertAsync(ctx, clinicUser ? "reviewed" : "stat", uid, clinicUser ? null : clinic, ct).ConfigureAwait(false);
                        }
                        alerts = now;
                        quietFor.Restart();
                        continue;
                    }
                    alerts = now;
                }
                if (quietFor.Elapsed >= KeepAlive)
                {
                    await ctx.Response.WriteAsync(": keep-alive\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
                    await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    quietFor.Restart();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task SendAsync(HttpContext ctx, long version, CancellationToken ct)
    {
        await ctx.Response.WriteAsync($"event: worklist\ndata: {{\"version\":{version.ToString(CultureInfo.InvariantCulture)}}}\n\n", Encoding.UTF8, ct)
            .ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task SendAlertAsync(HttpContext ctx, string kind, string study, string? clinic, CancellationToken ct)
    {
        var data = JsonSerializer.Serialize(clinic is null
            ? new Dictionary<string, string> { ["studyInstanceUid"] = study }
            : new Dictionary<string, string> { ["studyInstanceUid"] = study, ["clinic"] = clinic });
        await ctx.Response.WriteAsync($"event: {kind}\ndata: {data}\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The newest STAT studies in scope, by UID, with their clinic.</summary>
    private static async Task<Dictionary<string, string>> StatStudiesAsync(ITriageStore store, Scope scope, CancellationToken ct)
    {
        var result = await store.WorklistAsync(new WorklistQuery { Scope = scope, Stat = true, Sort = WorklistSort.Received, PageSize = StatWindow }, ct)
            .ConfigureAwait(false);
        return result.Items.ToDictionary(i => i.StudyInstanceUid, i => i.Clinic, StringComparer.Ordinal);
    }

    /// <summary>A hash of the worklist items the scope shows (the same JSON as GET /api/worklist), so any visible change,
    /// and nothing outside the scope, changes it; and the reviewed studies among them (for `event: reviewed`).</summary>
    private static async Task<(string Digest, Dictionary<string, string> Reviewed)> DigestAsync(ITriageStore store, Scope scope, QuietPeriod quiet,
        CancellationToken ct)
    {
        var reviewed = new Dictionary<string, string>(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        for (var page = 1; page <= DigestPages; page++)
        {
            var result = await store.WorklistAsync(new WorklistQuery { Scope = scope, Sort = WorklistSort.Received, Page = page, PageSize = DigestPageSize }, ct)
                .ConfigureAwait(false);
            foreach (var item in result.Items)
            {
                hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(ApiJson.Item(item, quiet, now)));
                if (item.Status == StudyStatus.Reviewed)
                {
                    reviewed[item.StudyInstanceUid] = item.Clinic;
                }
            }
            if ((long)page * DigestPageSize >= result.Total)
            {
                break;
            }
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), reviewed);
    }
}
