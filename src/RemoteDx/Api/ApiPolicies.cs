using Microsoft.AspNetCore.Authorization;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>Who may call what (docs/api.md "Sessions and roles"): the /api group requires <see cref="Session"/>, and
/// endpoints that need more name a role policy. Only login is anonymous.</summary>
internal static class ApiPolicies
{
    /// <summary>Any logged-in user; clinic users are further limited to their clinics' studies by the store's scope.</summary>
    public const string Session = "session";

    /// <summary>Review actions and the audit trail: admin, radiologist.</summary>
    public const string Reviewer = "reviewer";

    /// <summary>The job list: admin.</summary>
    public const string Admin = "admin";

    public static void Add(AuthorizationOptions o)
    {
        o.AddPolicy(Session, p => p.AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        o.AddPolicy(Reviewer, p => p.AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName).RequireRole(Roles.Admin, Roles.Radiologist));
        o.AddPolicy(Admin, p => p.AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName).RequireRole(Roles.Admin));
    }
}
