using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx.Api;

/// <summary>Server-side sessions (docs/api.md): a random token in the HttpOnly, SameSite=Strict cookie `rdx_session`,
/// stored only as its SHA-256; every /api request but login needs one (401, enforced by the /api group's authorization
/// policy, see <see cref="SessionAuthenticationHandler"/>), and every state-changing one the session's CSRF token in
/// X-CSRF-Token (403).</summary>
internal static class Sessions
{
    public const string Cookie = "rdx_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string ItemKey = "rdx.session";

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The request's session; only inside the /api group, whose authorization policy guarantees one.</summary>
    public static SessionRecord Current(HttpContext ctx) =>
        ctx.Items[ItemKey] as SessionRecord ?? throw new InvalidOperationException("no session: the endpoint is outside the authorized /api group");

    /// <summary>Called by <see cref="SessionAuthenticationHandler"/> once the cookie's session is found.</summary>
    public static void Attach(HttpContext ctx, SessionRecord session) => ctx.Items[ItemKey] = session;

    public static Scope ScopeOf(SessionRecord s) => s.Role == Roles.Clinic ? new Scope(s.Clinics) : Scope.All;

    public static void SetCookie(HttpContext ctx, string token, RemoteDxOptions o) => ctx.Response.Cookies.Append(Cookie, token, new CookieOptions
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = SecureCookie(o) || ctx.Request.IsHttps,
        Path = "/",
        MaxAge = TimeSpan.FromHours(o.Security.SessionHours),
    });

    /// <summary>RemoteDx:Security:SecureCookie, or when unset: Secure unless the web server is plain http on a loopback
    /// address (only then can no one on the network read the cookie in transit).</summary>
    public static bool SecureCookie(RemoteDxOptions o) => o.Security.SecureCookie ?? !IsLoopbackHttp(o.HttpUrl);

    private static bool IsLoopbackHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp &&
        // 0.0.0.0 and [::] (every interface) are not loopback.
        (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
            (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    public static void ClearCookie(HttpContext ctx) => ctx.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, HttpOnly = true });

    /// <summary>Whether a state-changing request carries the session's CSRF token: an endpoint filter on the /api group,
    /// so it runs after authentication and for every endpoint but the anonymous ones (login).</summary>
    public static async ValueTask<object?> CsrfFilter(EndpointFilterInvocationContext ic, EndpointFilterDelegate next)
    {
        var ctx = ic.HttpContext;
        var m = ctx.Request.Method;
        if ((HttpMethods.IsPost(m) || HttpMethods.IsPut(m) || HttpMethods.IsPatch(m) || HttpMethods.IsDelete(m)) &&
            ctx.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            var sent = ctx.Request.Headers[CsrfHeader].ToString();
            if (ctx.Items[ItemKey] is not SessionRecord session ||
                !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.CsrfToken)))
            {
                return ApiJson.Error(403, "missing or wrong " + CsrfHeader);
            }
        }
        return await next(ic).ConfigureAwait(false);
    }
}
