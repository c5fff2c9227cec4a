using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RemoteDx.Hosting;

/// <summary>`GET /healthz` (ready to take instances: 200 `ok`; 503 while starting, draining, or while the store or the
/// archive volume is unavailable, with a JSON reason) and `GET /livez` (200 while the process runs). No session.</summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", (ReadinessState ready, HealthState health) =>
        {
            if (!ready.IsReady)
            {
                return Results.Text("starting\n", "text/plain", statusCode: 503);
            }
            if (health.Draining)
            {
                return Unavailable("draining", "shutting down: new associations are rejected");
            }
            return health.Problem is { } problem ? Unavailable("unavailable", problem) : Results.Text("ok\n", "text/plain", statusCode: 200);
        });
        app.MapGet("/livez", () => Results.Text("ok\n", "text/plain", statusCode: 200));
    }

    private static IResult Unavailable(string status, string reason) =>
        Results.Text($"{{\"status\":\"{status}\",\"reason\":\"{JsonEncodedText.Encode(reason)}\"}}\n", "application/json", statusCode: 503);
}
