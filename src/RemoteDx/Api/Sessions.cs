using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;
using System.Text;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

/// <summary>Server-side sessions (docs/api.md): a random token in the HttpOnly, SameSite=Strict cookie `rdx_session`,
/// stored only as its SHA-256; every /api request but login needs one (401), and every state-changing one the
/// session's CSRF token in X-CSRF-Token (403).</summary>
internal static class Sessions
{
    public const string Cookie = "rdx_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string ItemKey = "rdx.session";

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static SessionRecord Current(HttpContext ctx) => (SessionRecord)ctx.Items[ItemKey]!;

    public static Scope ScopeOf(SessionRecord s) => s.Role == Roles.Clinic ? new Scope(s.Clinics) : Scope.All;

    public static bool Is(SessionRecord s, params string[] roles) => roles.Contains(s.Role, StringComparer.Ordinal);

    public static void SetCookie(HttpContext ctx, string token, SecurityOptions o) => ctx.Response.Cookies.Append(Cookie, token, new CookieOptions
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = o.SecureCookie || ctx.Request.IsHttps,
        Path = "/",
        MaxAge = TimeSpan.FromHours(o.SessionHours),
    });

    public static void ClearCookie(HttpContext ctx) => ctx.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, HttpOnly = true });

    /// <summary>The gate in front of /api: session (401) and CSRF (403) checks.</summary>
    public static async Task Gate(HttpContext ctx, Func<Task> next)
    {
        var path = ctx.Request.Path;
        if (!path.StartsWithSegments("/api", StringComparison.Ordinal) ||
            (path.Equals("/api/login", StringComparison.Ordinal) && HttpMethods.IsPost(ctx.Request.Method)))
        {
            await next().ConfigureAwait(false);
            return;
        }
        var store = ctx.RequestServices.GetRequiredService<ITriageStore>();
        SessionRecord? session = null;
        if (ctx.Request.Cookies.TryGetValue(Cookie, out var token) && token is { Length: > 0 and < 200 })
        {
            session = await store.SessionAsync(Hash(token), DateTimeOffset.UtcNow, ctx.RequestAborted).ConfigureAwait(false);
        }
        if (session is null)
        {
            await ApiJson.Error(401, "not logged in").ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var m = ctx.Request.Method;
        if (HttpMethods.IsPost(m) || HttpMethods.IsPut(m) || HttpMethods.IsPatch(m) || HttpMethods.IsDelete(m))
        {
            var sent = ctx.Request.Headers[CsrfHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.CsrfToken)))
            {
                await ApiJson.Error(403, "missing or wrong " + CsrfHeader).ExecuteAsync(ctx).ConfigureAwait(false);
                return;
            }
        }
        ctx.Items[ItemKey] = session;
        await next().ConfigureAwait(false);
    }
}
