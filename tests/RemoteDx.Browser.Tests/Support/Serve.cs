using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>`remotedx serve` as a child process on loopback: DICOM and HTTP on port 0, the ports read back from its
/// log, ready once GET /healthz answers 200.</summary>
public sealed partial class Serve : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TaskCompletionSource<int> _dicomPort = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _httpPort = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Serve(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        _process = ChildProcess.Start(Paths.RemoteDxExe,
            ["serve", "--data", dataDirectory, "--dicom-port", "0", "--http-url", "http://127.0.0.1:0"],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["RemoteDx__Dicom__AeTitle"] = "REMOTEDX",
                // Every test signs in from the same address; the login rate limit is tested by the interop suite.
                ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
                ["DOTNET_NOLOGO"] = "1",
            });
        _process.StdoutLine += OnLine;
    }

    public string DataDirectory { get; }

    public int DicomPort { get; private set; }

    public int HttpPort { get; private set; }

    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}/");

    public string Output => _process.Output;

    public static async Task<Serve> StartAsync(string dataDirectory)
    {
        var serve = new Serve(dataDirectory);
        try
        {
            await serve.WaitReadyAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
        return serve;
    }

    private void OnLine(string line)
    {
        if (ListenerLine().Match(line) is { Success: true } d)
        {
            _dicomPort.TrySetResult(int.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        else if (HttpLine().Match(line) is { Success: true } h)
        {
            _httpPort.TrySetResult(int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var ports = Task.WhenAll(_dicomPort.Task, _httpPort.Task);
        while (!ports.IsCompleted)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"remotedx serve exited with {_process.ExitCode} before it was ready:\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"remotedx serve did not report its ports in {timeout.TotalSeconds:0} s:\n{Output}");
            }
            await Task.WhenAny(ports, Task.Delay(50));
        }
        DicomPort = await _dicomPort.Task;
        HttpPort = await _httpPort.Task;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            try
            {
                using var r = await http.GetAsync(new Uri(BaseUrl, "healthz"));
                if ((int)r.StatusCode == 200)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"remotedx serve: /healthz never answered 200:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"DICOM listener \S+ on port (\d+)")]
    private static partial Regex ListenerLine();

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex HttpLine();
}
