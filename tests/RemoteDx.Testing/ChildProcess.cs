using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RemoteDx.Testing;

/// <summary>A peer or CLI run as a child process (serve, storescu, Orthanc, the CLI), its stdout and stderr collected
/// line by line for assertions and failure messages. Disposing kills it if it still runs.</summary>
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

    /// <summary>Starts <paramref name="exe"/> (a full path: from <see cref="Tool.Require"/> or
    /// <see cref="RemoteDxCommand.Path"/>); <paramref name="stdin"/>, when given, is written and closed.</summary>
    public static ChildProcess Start(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? workingDirectory = null, string? stdin = null, IEnumerable<string>? removeEnvironment = null)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // Debian's DCMTK leaves Nagle on unless asked; without it every DIMSE message waits for a delayed ACK.
        psi.Environment["TCP_NODELAY"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        foreach (var k in removeEnvironment ?? [])
        {
            psi.Environment.Remove(k);
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
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        return child;
    }

    /// <summary>Runs to completion; throws with the output when it exits non-zero or outlives the timeout.</summary>
    public static async Task<string> RunAsync(string exe, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IDictionary<string, string>? env = null)
    {
        var argList = args.ToList();
        using var child = Start(exe, argList, env, stdin: stdin);
        var code = await child.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', argList)} exited with {code}:\n{child.Output}");
        }
        return child.Output;
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

    /// <summary>SIGTERM (what systemd and `docker stop` send): the process may shut down in order.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>SIGKILL: no shutdown code runs.</summary>
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
