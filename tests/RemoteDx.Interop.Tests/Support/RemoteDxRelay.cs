using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>`remotedx relay` as a child process on loopback: its listener on port 0 (read back from its log), forwarding
/// to <c>127.0.0.1:hubPort</c> with a short backoff so that tests wait seconds, not minutes. Optionally inside a
/// <see cref="NetworkNamespace"/> (then the hub and storescu must be in it too).</summary>
public sealed partial class RemoteDxRelay : IAsyncDisposable
{
    public const string ClinicAe = "CLINIC1";

    private readonly ChildProcess _process;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RemoteDxRelay(string dataDirectory, int hubPort, IEnumerable<string> extraArgs, NetworkNamespace? netns, IDictionary<string, string>? env)
    {
        DataDirectory = dataDirectory;
        var args = new List<string>
        {
            "relay", "--data", dataDirectory, "--dicom-port", "0", "--aet", ClinicAe,
            "--hub", "127.0.0.1", hubPort.ToString(CultureInfo.InvariantCulture), "--hub-aet", "REMOTEDX",
        };
        args.AddRange(extraArgs);
        IEnumerable<string> prefix = netns is null ? [] : [.. netns.Launcher.Skip(1), RemoteDxCommand.Path];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RemoteDx__Relay__RetryBaseSeconds"] = "0.2",
            ["RemoteDx__Relay__RetryMaxSeconds"] = "1",
            // Loopback answers at once; a stalled link is noticed in seconds.
            ["RemoteDx__Relay__Hub__ConnectTimeoutSeconds"] = "5",
            ["RemoteDx__Relay__Hub__DimseTimeoutSeconds"] = "5",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        _process = ChildProcess.Start(netns?.Launcher[0] ?? RemoteDxCommand.Path, [.. prefix, .. args], environment);
        _process.StdoutLine += line =>
        {
            if (ListeningLine().Match(line) is { Success: true } m)
            {
                _port.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
    }

    public string DataDirectory { get; }

    public string QueueDirectory => Path.Combine(DataDirectory, "queue");

    public string FailedDirectory => Path.Combine(DataDirectory, "failed");

    public int DicomPort { get; private set; }

    public string Output => _process.Output;

    public int Queued => Directory.Exists(QueueDirectory) ? Directory.GetFiles(QueueDirectory, "*.dcm").Length : 0;

    public static Task<RemoteDxRelay> StartAsync(string dataDirectory, int hubPort, params string[] extraArgs) =>
        StartAsync(dataDirectory, hubPort, null, extraArgs);

    public static Task<RemoteDxRelay> StartAsync(string dataDirectory, int hubPort, NetworkNamespace? netns, params string[] extraArgs) =>
        StartAsync(dataDirectory, hubPort, netns, null, extraArgs);

    /// <param name="env">extra environment variables (RemoteDx__Relay__…) over the test defaults.</param>
    public static async Task<RemoteDxRelay> StartAsync(string dataDirectory, int hubPort, NetworkNamespace? netns, IDictionary<string, string>? env,
        params string[] extraArgs)
    {
        var relay = new RemoteDxRelay(dataDirectory, hubPort, extraArgs, netns, env);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!relay._port.Task.IsCompleted)
        {
            if (relay._process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = relay.Output;
                relay._process.Dispose();
                throw new InvalidOperationException($"remotedx relay did not start:\n{output}");
            }
            await Task.WhenAny(relay._port.Task, Task.Delay(50));
        }
        relay.DicomPort = relay._port.Task.Result;
        return relay;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails with the relay's output.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen in {seconds} s; relay output:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM (the relay drains).</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits for the relay to exit (after <see cref="Terminate"/>); its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitAsync(timeout);

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9.</summary>
    public void KillHard() => _process.Kill();

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>DCMTK storescu, as a modality would send, to the relay's listener; fails the test on any failed store.</summary>
    public static async Task StorescuAsync(int port, IEnumerable<string> files, NetworkNamespace? netns = null)
    {
        var storescu = Tool.Require("storescu");
        string[] args = ["-aet", "MODALITY", "-aec", ClinicAe, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. files];
        using var p = netns is null
            ? ChildProcess.Start(storescu, args)
            : ChildProcess.Start(netns.Launcher[0], [.. netns.Launcher.Skip(1), storescu, .. args]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(code == 0 && !p.Output.Contains("Store Failed", StringComparison.OrdinalIgnoreCase), $"storescu exited {code}:\n{p.Output}");
    }

    /// <summary>The data set bytes of a Part 10 file: everything after the File Meta Information group.</summary>
    public static byte[] DatasetBytes(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var groupLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(140));
        return bytes[(144 + (int)groupLength)..];
    }

    [GeneratedRegex(@"relay \S+ listening on port (\d+)")]
    private static partial Regex ListeningLine();
}
