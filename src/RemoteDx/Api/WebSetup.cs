using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using System.IO.Compression;

namespace RemoteDx.Api;

/// <summary>Everything `remotedx serve` answers over HTTP besides /healthz: security headers, the viewer's static
/// files, /metrics, the OpenAPI document and the JSON API.</summary>
public static class WebSetup
{
    private const string Csp = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; " +
        "base-uri 'none'; form-action 'self'; object-src 'none'";

    public static void ConfigureServices(IServiceCollection services)
    {
        PrometheusExporter.ConfigureServices(services);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new UtcTimestampConverter()));
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(ApiPolicies.Add);
        services.AddRateLimiter(LoginRateLimit.Add);
        // Brotli, else gzip, for the viewer's files and JSON (not images: PNG is compressed already; not the event
        // stream: its MIME type is not listed, so it is never buffered).
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["text/javascript", "image/svg+xml"]);
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        // Over https only (UseHsts skips plain http); loopback names are not exempt, a deployment may well use them.
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.ExcludedHosts.Clear();
        });
    }

    public static void Map(WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = Csp;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h.XFrameOptions = "DENY";
            await next(ctx).ConfigureAwait(false);
        });
        app.UseHsts();
        // BREACH: a compressed response that carries a secret next to attacker-influenced text leaks the secret by its
        // length. The CSRF token travels only in /api/login and /api/me, so those two are never compressed.
        app.UseWhen(ctx => !CarriesCsrfToken(ctx.Request.Path), b => b.UseResponseCompression());
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(webRoot))
        {
            var files = new PhysicalFileProvider(webRoot);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        PrometheusExporter.Map(app);

        // Every /api endpoint is in this group (route matching ignores case, so /API/... lands here too): a session is
        // required unless an endpoint says AllowAnonymous (login only), and state-changing requests need the CSRF token.
        var api = app.MapGroup("/api").RequireAuthorization(ApiPolicies.Session).AddEndpointFilter(Sessions.CsrfFilter);
        api.MapGet("/openapi.json", () =>
        {
            var path = Path.Combine(AppContext.BaseDirectory, "openapi.json");
            return File.Exists(path) ? Results.File(path, "application/json") : ApiJson.Error(404, "openapi.json is not installed");
        });
        AuthEndpoints.Map(api);
        WorklistEndpoints.Map(api);
        FhirEndpoints.Map(api);
        EventsEndpoint.Map(api);
        ImageEndpoints.Map(api);
        ReviewEndpoints.Map(api);
        ClinicEndpoints.Map(api);
        AdminEndpoints.Map(api);
        // Any other /api path: a JSON 404 (behind the session policy, so it reveals nothing to the logged-out).
        api.Map("/{**rest}", () => ApiJson.Error(404, "no such endpoint"));
    }

    private static bool CarriesCsrfToken(PathString path) =>
        path.StartsWithSegments("/api/login", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/api/me", StringComparison.OrdinalIgnoreCase);
}
