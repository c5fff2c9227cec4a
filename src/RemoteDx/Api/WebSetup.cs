using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace RemoteDx.Api;

/// <summary>Everything `remotedx serve` answers over HTTP besides /healthz: security headers, the viewer's static
/// files, /metrics, the OpenAPI document and the JSON API.</summary>
public static class WebSetup
{
    private const string Csp = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

    public static void ConfigureServices(IServiceCollection services)
    {
        PrometheusExporter.ConfigureServices(services);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new UtcTimestampConverter()));
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
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(webRoot))
        {
            var files = new PhysicalFileProvider(webRoot);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        app.Use((ctx, next) => Sessions.Gate(ctx, () => next(ctx)));

        PrometheusExporter.Map(app);
        app.MapGet("/api/openapi.json", () =>
        {
            var path = Path.Combine(AppContext.BaseDirectory, "openapi.json");
            return File.Exists(path) ? Results.File(path, "application/json") : ApiJson.Error(404, "openapi.json is not installed");
        });
        AuthEndpoints.Map(app);
        WorklistEndpoints.Map(app);
        ImageEndpoints.Map(app);
        ReviewEndpoints.Map(app);
        // Any other /api path: a JSON 404 (after the session gate, so it reveals nothing to the logged-out).
        app.Map("/api/{**rest}", () => ApiJson.Error(404, "no such endpoint"));
    }
}
