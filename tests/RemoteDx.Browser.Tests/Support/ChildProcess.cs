using System.Diagnostics;
using System.Text;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>A child process (serve, storescu, the CLI) with stdout and stderr collected for assertions and failure
/// messages. Disposing kills it if it still runs.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    /// <summary>Raised (on a pool thread) for each stdout line.</summary>
    public event Action<string>? StdoutLine;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildProcess Start(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, stdout: false);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {exe}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        return child;
    }

    /// <summary>Runs to completion; throws with the output when it exits non-zero or outlives the timeout.</summary>
    public static async Task<string> RunAsync(string exe, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        using var child = Start(exe, args, stdin: stdin);
        var code = await child.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited with {code}:\n{child.Output}");
        }
        return child.Output;
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            (stdout ? _stdoutClosed : _stderrClosed).TrySetResult();
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (stdout)
        {
            StdoutLine?.Invoke(line);
        }
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} did not finish in {timeout.TotalSeconds:0} s:\n{Output}");
        }
        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
