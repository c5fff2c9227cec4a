using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace RemoteDx.Api;

/// <summary>Prometheus text exposition (format 0.0.4) of every System.Diagnostics.Metrics instrument whose meter name
/// starts with "RemoteDx" — the pipeline's own and those other parts publish (e.g. "RemoteDx.Inference") — with no
/// third-party package. Counters become *_total, histograms get cumulative buckets, gauges their last value.</summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<Instrument, Dictionary<string, Series>> _series = [];

    private sealed class Series
    {
        public double Value;
        public double Sum;
        public long Count;
        public long[]? Buckets;
    }

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("RemoteDx", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        _listener.Start();
    }

    private enum Kind
    {
        Sum,
        Last,
        Histogram,
    }

    private static Kind KindOf(Instrument i)
    {
        var t = i.GetType();
        var g = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
        if (g == typeof(Histogram<>))
        {
            return Kind.Histogram;
        }
        return g == typeof(Counter<>) || g == typeof(UpDownCounter<>) ? Kind.Sum : Kind.Last;
    }

    private static bool IsCounter(Instrument i)
    {
        var t = i.GetType();
        var g = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
        return g == typeof(Counter<>) || g == typeof(ObservableCounter<>);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = Labels(tags);
        lock (_gate)
        {
            if (!_series.TryGetValue(instrument, out var byTags))
            {
                _series[instrument] = byTags = new Dictionary<string, Series>(StringComparer.Ordinal);
            }
            if (!byTags.TryGetValue(key, out var s))
            {
                byTags[key] = s = new Series();
            }
            switch (KindOf(instrument))
            {
                case Kind.Sum:
                    s.Value += value;
                    break;
                case Kind.Last:
                    s.Value = value;
                    break;
                default:
                    s.Buckets ??= new long[Bounds.Length];
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        if (value <= Bounds[b])
                        {
                            s.Buckets[b]++;
                        }
                    }
                    s.Sum += value;
                    s.Count++;
                    break;
            }
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }
        var parts = new List<string>(tags.Length);
        foreach (var t in tags)
        {
            parts.Add($"{Name(t.Key)}=\"{Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\"");
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Join(",", parts);
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Name(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? char.ToLowerInvariant(c) : '_');
        }
        return sb.ToString();
    }

    private static string MetricName(Instrument i)
    {
        var name = Name(i.Name);
        if (i.Unit is "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }
        else if (i.Unit is "By" && !name.EndsWith("_bytes", StringComparison.Ordinal))
        {
            name += "_bytes";
        }
        return IsCounter(i) && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    private static string Num(double v) => double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Collects the observable instruments and writes everything.</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var sb = new StringBuilder();
        lock (_gate)
        {
            foreach (var (instrument, byTags) in _series.OrderBy(kv => MetricName(kv.Key), StringComparer.Ordinal))
            {
                var name = MetricName(instrument);
                var kind = KindOf(instrument);
                if (instrument.Description is { Length: > 0 } help)
                {
                    sb.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
                }
                sb.Append("# TYPE ").Append(name).Append(' ')
                    .Append(kind == Kind.Histogram ? "histogram" : IsCounter(instrument) ? "counter" : "gauge").Append('\n');
                foreach (var (labels, s) in byTags.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (kind != Kind.Histogram)
                    {
                        sb.Append(name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ').Append(Num(s.Value)).Append('\n');
                        continue;
                    }
                    var sep = labels.Length > 0 ? labels + "," : "";
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        sb.Append(name).Append("_bucket{").Append(sep).Append("le=\"").Append(Num(Bounds[b])).Append("\"} ")
                            .Append(s.Buckets![b].ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }
                    sb.Append(name).Append("_bucket{").Append(sep).Append("le=\"+Inf\"} ").Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    var braces = labels.Length > 0 ? "{" + labels + "}" : "";
                    sb.Append(name).Append("_sum").Append(braces).Append(' ').Append(Num(s.Sum)).Append('\n');
                    sb.Append(name).Append("_count").Append(braces).Append(' ').Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
