using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>Authenticates a request by its `rdx_session` cookie against the store's sessions (docs/api.md). A request
/// without a live session is challenged with 401, one whose role the endpoint's policy refuses is forbidden with 403,
/// both with the API's JSON error body.</summary>
internal sealed class SessionAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ITriageStore store) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "rdx-session";
    public const string ClinicClaim = "rdx:clinic";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(Sessions.Cookie, out var token) || token is not { Length: > 0 and < 200 })
        {
            return AuthenticateResult.NoResult();
        }
        var session = await store.SessionAsync(Sessions.Hash(token), DateTimeOffset.UtcNow, Context.RequestAborted).ConfigureAwait(false);
        if (session is null)
        {
            return AuthenticateResult.Fail("no such session, or it has expired");
        }
        Sessions.Attach(Context, session);
        var claims = new List<Claim> { new(ClaimTypes.Name, session.Username), new(ClaimTypes.Role, session.Role) };
        claims.AddRange(session.Clinics.Select(c => new Claim(ClinicClaim, c)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiJson.Error(401, "not logged in").ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiJson.Error(403, "your role may not do this").ExecuteAsync(Context);
}
