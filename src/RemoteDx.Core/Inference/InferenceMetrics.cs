using System.Diagnostics.Metrics;

namespace RemoteDx.Core.Inference;

/// <summary>Meter "RemoteDx.Inference": what /metrics exports about scoring.</summary>
public static class InferenceMetrics
{
    public const string MeterName = "RemoteDx.Inference";

    public static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Seconds one batch spent in the session's Run.</summary>
    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "remotedx_inference_batch_duration", "s", "Time of one batched ONNX Runtime run",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>Seconds from an image entering a model's queue to its result.</summary>
    public static readonly Histogram<double> ImageLatency = Meter.CreateHistogram<double>(
        "remotedx_inference_latency", "s", "Time from queueing an image to its findings",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "remotedx_inference_batch_size", null, "Images per batched run",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    public static readonly Counter<long> Images = Meter.CreateCounter<long>(
        "remotedx_inference_images", null, "Images scored, by model");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LoadedModel, byte> Live = new();

    /// <summary>Images waiting in each loaded model's queue.</summary>
    public static readonly ObservableGauge<int> QueueDepth = Meter.CreateObservableGauge(
        "remotedx_inference_queue_depth", () => Live.Keys.Select(m => new Measurement<int>(m.QueueDepth,
            new KeyValuePair<string, object?>("model", m.Name))), null, "Images waiting for a batch, by model");

    /// <summary>1 per loaded model, tagged with the execution provider it runs on.</summary>
    public static readonly ObservableGauge<int> ProviderInfo = Meter.CreateObservableGauge(
        "remotedx_inference_provider", () => Live.Keys.Select(m => new Measurement<int>(1,
            new KeyValuePair<string, object?>("model", m.Name), new KeyValuePair<string, object?>("provider", m.Provider))),
        null, "Execution provider per loaded model");

    internal static void Track(LoadedModel model) => Live.TryAdd(model, 0);

    internal static void Untrack(LoadedModel model) => Live.TryRemove(model, out _);

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "remotedx_inference_failures", null, "Batched runs that failed, by model");
}
