using System.Diagnostics.Metrics;
using RemoteDx.Api;

namespace RemoteDx.Interop.Tests;

/// <summary>The /metrics exporter picks up any meter named RemoteDx* (the inference engine publishes "RemoteDx.Inference").</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Meters_named_RemoteDx_are_exported_as_Prometheus_counters_histograms_and_gauges_and_others_are_not()
    {
        using var exporter = new PrometheusExporter();
        using var inference = new Meter("RemoteDx.Inference");
        using var other = new Meter("SomethingElse");
        var latency = inference.CreateHistogram<double>("remotedx.inference.duration", unit: "s", description: "model latency");
        var batches = inference.CreateCounter<long>("remotedx.inference.batches");
        inference.CreateObservableGauge("remotedx.inference.provider", () => new Measurement<int>(1, new KeyValuePair<string, object?>("provider", "CPU")));
        other.CreateCounter<long>("other.count").Add(5);
        latency.Record(0.02, new KeyValuePair<string, object?>("model", "cxr-triage"));
        latency.Record(3, new KeyValuePair<string, object?>("model", "cxr-triage"));
        batches.Add(2);

        var text = exporter.Scrape();
        Assert.Contains("# TYPE remotedx_inference_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_inference_duration_seconds_bucket{model=\"cxr-triage\",le=\"0.025\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_inference_duration_seconds_bucket{model=\"cxr-triage\",le=\"+Inf\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_inference_duration_seconds_count{model=\"cxr-triage\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_inference_batches_total counter", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_inference_batches_total 2", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_inference_provider{provider=\"CPU\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other_count", text, StringComparison.Ordinal);
    }
}
