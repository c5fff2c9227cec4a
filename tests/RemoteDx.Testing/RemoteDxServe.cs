using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace RemoteDx.Testing;

/// <summary>`remotedx serve` as a child process on loopback: DICOM and HTTP bound to port 0, the ports read back from
/// its log, ready once GET /healthz answers 200. Disposing kills it. Over https (a certificate configured by the test)
/// it trusts that one certificate and no other. Started in a <see cref="NetworkNamespace"/>, it is reached only from
/// inside it (readiness is probed from there too).</summary>
public sealed partial class RemoteDxServe : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TaskCompletionSource<int> _dicomPort = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _httpPort = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly NetworkNamespace? _netns;

    private RemoteDxServe(string dataDirectory, IDictionary<string, string>? env, X509Certificate2? httpsCertificate, NetworkNamespace? netns)
    {
        _netns = netns;
        DataDirectory = dataDirectory;
        HttpsCertificate = httpsCertificate;
        Scheme = httpsCertificate is null ? "http" : "https";
        var args = new List<string> { "serve", "--data", dataDirectory, "--dicom-port", "0", "--http-url", Scheme + "://127.0.0.1:0" };
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RemoteDx__Dicom__AeTitle"] = "REMOTEDX",
            // Tests sign in many times from one address; the login rate limit has tests of its own that set it.
            ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            environment[k] = v;
        }
        _process = netns is null
            ? ChildProcess.Start(RemoteDxCommand.Path, args, environment)
            : ChildProcess.Start(netns.Launcher[0], [.. netns.Launcher.Skip(1), RemoteDxCommand.Path, .. args], environment);
        _process.StdoutLine += OnLine;
    }

    public string DataDirectory { get; }

    public string ArchiveRoot => Path.Combine(DataDirectory, "archive");

    public string DatabasePath => Path.Combine(DataDirectory, "remotedx.db");

    /// <summary>The plain DICOM port; 0 when serve opened only its TLS port.</summary>
    public int DicomPort { get; private set; }

    public int HttpPort { get; private set; }

    /// <summary>http, or https when started with a web server certificate.</summary>
    public string Scheme { get; }

    /// <summary>The web server's certificate when serve runs https, else null.</summary>
    public X509Certificate2? HttpsCertificate { get; }

    /// <summary>The web server's base address, for <see cref="ApiClient"/> and the browser.</summary>
    public Uri BaseUrl => new($"{Scheme}://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The DICOM TLS port when serve was configured with a certificate, else null.</summary>
    public int? TlsPort { get; private set; }

    public int ProcessId => _process.Id;

    public string Output => _process.Output;

    /// <summary>Starts serve on <paramref name="dataDirectory"/> and waits until it is ready (or throws with its output).
    /// With <paramref name="expectUnhealthy"/>, ready means started but unhealthy on purpose (e.g. below the disk
    /// reserve): /healthz answers 503 with <c>"status":"unavailable"</c>.</summary>
    /// <param name="httpsCertificate">serve on https://127.0.0.1:0 instead of http; the test configures serve with this
    /// certificate (RemoteDx:Web:TlsCertificate/TlsKey in <paramref name="env"/>) and it is the only one trusted.</param>
    /// <param name="netns">run serve inside this namespace (plain http, healthy expected).</param>
    public static async Task<RemoteDxServe> StartAsync(string dataDirectory, IDictionary<string, string>? env = null,
        X509Certificate2? httpsCertificate = null, bool expectUnhealthy = false, NetworkNamespace? netns = null)
    {
        if (netns is not null && (httpsCertificate is not null || expectUnhealthy))
        {
            throw new ArgumentException("serve in a network namespace is probed over plain http for 200 only", nameof(netns));
        }
        var serve = new RemoteDxServe(dataDirectory, env, httpsCertificate, netns);
        try
        {
            await serve.WaitReadyAsync(TimeSpan.FromSeconds(90), expectUnhealthy);
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
        if (TlsOnlyLine().Match(line) is { Success: true } tlsOnly)
        {
            // RequireClientCertificate keeps the plain port closed: DicomPort stays 0.
            TlsPort = int.Parse(tlsOnly.Groups[1].Value, CultureInfo.InvariantCulture);
            _dicomPort.TrySetResult(0);
        }
        else if (ListenerLine().Match(line) is { Success: true } d)
        {
            if (TlsPortText().Match(line) is { Success: true } t)
            {
                TlsPort = int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            _dicomPort.TrySetResult(int.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        else if (HttpLine().Match(line) is { Success: true } h)
        {
            _httpPort.TrySetResult(int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout, bool expectUnhealthy)
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

        if (_netns is not null)
        {
            while (!_netns.HttpOk(new Uri(BaseUrl, "healthz")))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"remotedx serve in {_netns}: /healthz never answered 200:\n{Output}");
                }
                await Task.Delay(200);
            }
            return;
        }
        using var http = new HttpClient(CreateHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            try
            {
                using var r = await http.GetAsync(new Uri(BaseUrl, "healthz"));
                if (!expectUnhealthy && (int)r.StatusCode == 200)
                {
                    return;
                }
                if (expectUnhealthy && (int)r.StatusCode == 503
                    && (await r.Content.ReadAsStringAsync()).Contains("\"status\":\"unavailable\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"remotedx serve: /healthz never answered {(expectUnhealthy ? "503 unavailable" : "200")}:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>A handler for this serve's web server: over https it accepts exactly <see cref="HttpsCertificate"/> (for
    /// a name it was issued to), nothing else.</summary>
    public HttpClientHandler CreateHandler()
    {
        var handler = new HttpClientHandler();
        if (HttpsCertificate is { } pinned)
        {
            var pin = pinned.GetCertHashString(HashAlgorithmName.SHA256);
            handler.ServerCertificateCustomValidationCallback = (_, presented, _, errors) =>
                presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == pin &&
                (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
        }
        return handler;
    }

    /// <summary>SIGTERM: serve drains (DESIGN.md "Durability modes") and exits.</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits for serve to exit (after <see cref="Terminate"/>); its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitAsync(timeout);

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9: no shutdown code runs, whatever was not durable is lost.</summary>
    public void KillHard() => _process.Kill();

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"DICOM listener \S+ on port (\d+)")]
    private static partial Regex ListenerLine();

    [GeneratedRegex(@"DICOM listener \S+ on TLS port (\d+) only")]
    private static partial Regex TlsOnlyLine();

    [GeneratedRegex(@"\(TLS port (\d+)\)")]
    private static partial Regex TlsPortText();

    [GeneratedRegex(@"Now listening on: https?://127\.0\.0\.1:(\d+)")]
    private static partial Regex HttpLine();
}
