using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace RemoteDx.Api;

/// <summary>GET /metrics: every System.Diagnostics.Metrics meter whose name starts with "RemoteDx" ("RemoteDx.Pipeline",
/// "RemoteDx.Inference", ...) in the Prometheus text format, by OpenTelemetry's Prometheus exporter. Names follow its
/// translation: dots become underscores, unit "s" adds _seconds, counters end in _total — the names the hand-written
/// exporter this replaces gave (docs/configuration.md lists them).</summary>
public static class PrometheusExporter
{
    public const string MeterPrefix = "RemoteDx";

    /// <summary>The job-duration buckets /metrics has always had (the instrument itself gives no advice).</summary>
    private static readonly double[] JobDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static void ConfigureServices(IServiceCollection services) =>
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterPrefix + "*")
            .AddView("remotedx.scoring.job.duration", new ExplicitBucketHistogramConfiguration { Boundaries = JobDurationBuckets })
            .AddPrometheusExporter(o =>
            {
                // A scrape sees what happened before it, not a copy up to 300 ms old.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                // Label sets as before: no otel_scope_* labels on every series, no target_info series.
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            }));

    public static void Map(WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
