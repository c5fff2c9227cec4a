using System.Diagnostics;
using System.Text;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>A peer or CLI run as a child process, its stdout and stderr collected line by line (for assertions and
/// for failure messages). Disposing kills it if it still runs.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stdout = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Raised (on a pool thread) for each stdout line as it arrives.</summary>
    public event Action<string>? StdoutLine;

    public static ChildProcess Start(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // Debian's DCMTK leaves Nagle on unless asked; without it every DIMSE message waits for a delayed ACK.
        psi.Environment["TCP_NODELAY"] = "1";
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, isStdout: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, isStdout: false);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {exe}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line, bool isStdout)
    {
        if (line is null)
        {
            (isStdout ? _stdoutClosed : _stderrClosed).TrySetResult();
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
            if (isStdout)
            {
                _stdout.AppendLine(line);
            }
        }
        if (isStdout)
        {
            StdoutLine?.Invoke(line);
        }
    }

    /// <summary>Everything printed so far, stdout and stderr interleaved as received.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public string Stdout
    {
        get
        {
            lock (_lines)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Waits for exit and for both streams to be drained; kills the process and throws on timeout.</summary>
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
            throw new TimeoutException($"{_process.StartInfo.FileName} did not finish in {timeout.TotalSeconds:0} s; output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
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
