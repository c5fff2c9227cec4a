using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

/// <summary>POST /api/login per client address: RemoteDx:Security:LoginPermitsPerMinute requests in a fixed one-minute
/// window, then 429 with Retry-After (ASP.NET Core's rate limiter). The per-name lockout still applies beneath it.</summary>
internal static class LoginRateLimit
{
    public const string Policy = "login";

    public static void Add(RateLimiterOptions o)
    {
        o.AddPolicy(Policy, ctx =>
        {
            var permits = ctx.RequestServices.GetRequiredService<IOptions<RemoteDxOptions>>().Value.Security.LoginPermitsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });
        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        o.OnRejected = async (rejected, ct) =>
        {
            var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
            var ctx = rejected.HttpContext;
            ctx.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await ApiJson.Error(429, "too many login requests from this address; try again later").ExecuteAsync(ctx).ConfigureAwait(false);
        };
    }
}
