using System.Diagnostics.Metrics;
using System.Globalization;

namespace RemoteDx.Hosting;

/// <summary>The pipeline's instruments (Meter "RemoteDx.Pipeline"): C-STORE responses by status, scoring jobs by
/// outcome and duration, and the job queue by state (read from the store by <see cref="WorklistWatcher"/>). Exported
/// with every other "RemoteDx*" meter at GET /metrics.</summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "RemoteDx.Pipeline";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _cstore;
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _jobSeconds;
    private readonly Counter<long> _reconciled;
    private volatile IReadOnlyDictionary<string, long> _jobStates = new Dictionary<string, long>();

    public PipelineMetrics()
    {
        _cstore = _meter.CreateCounter<long>("remotedx.cstore.responses", description: "C-STORE responses sent, by DIMSE status (counted when the association ends)");
        _jobs = _meter.CreateCounter<long>("remotedx.scoring.jobs", description: "Scoring job attempts finished, by outcome");
        _jobSeconds = _meter.CreateHistogram<double>("remotedx.scoring.job.duration", unit: "s", description: "Time to read, score and record one image");
        _reconciled = _meter.CreateCounter<long>("remotedx.reconciler.files", description: "Files the archive reconciler acted on, by action (indexed, quarantined, temp-removed)");
        _meter.CreateObservableGauge("remotedx.jobs", ObserveJobStates, description: "Scoring jobs in the queue, by state (all processes sharing the database)");
    }

    public void CStore(ushort status, long count) => _cstore.Add(count, new KeyValuePair<string, object?>("status", status.ToString("X4", CultureInfo.InvariantCulture)));

    public void JobFinished(string outcome, TimeSpan duration)
    {
        _jobs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _jobSeconds.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Reconciled(int indexed, int quarantined, int tempRemoved)
    {
        _reconciled.Add(indexed, new KeyValuePair<string, object?>("action", "indexed"));
        _reconciled.Add(quarantined, new KeyValuePair<string, object?>("action", "quarantined"));
        _reconciled.Add(tempRemoved, new KeyValuePair<string, object?>("action", "temp-removed"));
    }

    public void SetJobStates(IReadOnlyDictionary<string, long> counts) => _jobStates = counts;

    private IEnumerable<Measurement<long>> ObserveJobStates() =>
        _jobStates.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("state", kv.Key))).ToList();

    public void Dispose() => _meter.Dispose();
}
