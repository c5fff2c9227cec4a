using System.Globalization;
using System.Text.RegularExpressions;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>GET /metrics of a real `remotedx serve` (OpenTelemetry's Prometheus exporter): after one C-STORE is scored,
/// the pipeline's and the inference engine's instruments are there under the names docs/configuration.md lists, with
/// the same label sets as before the exporter changed, and no other meter leaks in.</summary>
public sealed class PrometheusExporterTests : IAsyncLifetime
{
    private readonly string _root = TempDirectory.ForTestRun("metrics");
    private RemoteDxServe _serve = null!;

    public async Task InitializeAsync() =>
        _serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
        {
            ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        });

    public async Task DisposeAsync()
    {
        await _serve.DisposeAsync();
        TempDirectory.TryDelete(_root);
    }

    [Fact]
    public async Task Metrics_exports_the_RemoteDx_meters_under_their_Prometheus_names_and_nothing_else()
    {
        var sample = Path.Combine(RepoRoot(), "sample-dicom", "clinic-a", "normal-pa-1.dcm");
        using (var send = ChildProcess.Start(RemoteDxCommand.Path, ["send", "127.0.0.1", _serve.DicomPort.ToString(CultureInfo.InvariantCulture), sample,
            "--aet", "CLINIC_A", "--called-aet", "REMOTEDX"]))
        {
            var code = await send.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(code == 0, $"send exited {code}: {send.Output}");
        }

        using var http = new HttpClient { BaseAddress = _serve.BaseUrl };
        var text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!text.Contains("remotedx_scoring_jobs_total{outcome=\"done\"} 1\n", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the job was not scored in time; /metrics:\n{text}\nserve:\n{_serve.Output}");
            await Task.Delay(200);
            using var response = await http.GetAsync("metrics");
            Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
            text = await response.Content.ReadAsStringAsync();
        }

        // The pipeline (meter RemoteDx.Pipeline).
        Assert.Contains("# TYPE remotedx_cstore_responses_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_cstore_responses_total{status=\"0000\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_scoring_jobs_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_scoring_job_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_scoring_job_duration_seconds_bucket{outcome=\"done\",le=\"60\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_scoring_job_duration_seconds_bucket{outcome=\"done\",le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_scoring_job_duration_seconds_count{outcome=\"done\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_jobs gauge\n", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("^remotedx_jobs\\{state=\"pending\"\\} \\d+$", RegexOptions.Multiline), text);

        // The inference engine (meter RemoteDx.Inference, in Core).
        Assert.Contains("# TYPE remotedx_inference_batch_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_inference_latency_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("remotedx_inference_batch_size_bucket{model=\"cxr-triage\",le=\"1\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_inference_images_total counter\n", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("^remotedx_inference_images_total\\{model=\"cxr-triage\"\\} [1-9]\\d*$", RegexOptions.Multiline), text);
        Assert.Contains("# TYPE remotedx_inference_provider gauge\n", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("^remotedx_inference_provider\\{model=\"cxr-triage\",provider=\"(cpu|cuda)\"\\} 1$", RegexOptions.Multiline), text);
        Assert.Contains("remotedx_inference_queue_depth{model=\"cxr-triage\"} 0\n", text, StringComparison.Ordinal);

        // Only RemoteDx* meters (not ASP.NET Core's or the runtime's), and no scope labels or target_info added.
        var samples = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.All(samples, l => Assert.StartsWith("remotedx_", l, StringComparison.Ordinal));
        Assert.DoesNotContain("otel_scope", text, StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RemoteDx.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("RemoteDx.sln not found");
    }
}
