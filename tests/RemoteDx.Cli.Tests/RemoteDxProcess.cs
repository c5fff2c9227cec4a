using System.Diagnostics;

namespace RemoteDx.Cli.Tests;

/// <summary>The remotedx apphost built next to this test assembly, run as a child process.</summary>
public static class RemoteDxProcess
{
    public static string Exe => Path.Combine(AppContext.BaseDirectory, "remotedx");

    public static Process Start(params string[] args) => Start(args, redirectStdin: false);

    public static Process Start(string[] args, bool redirectStdin)
    {
        var psi = new ProcessStartInfo(Exe)
        {
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // The batch commands must not pick up a models folder from the environment of whoever runs the tests.
        psi.Environment.Remove("RemoteDx__Inference__ModelsDirectory");
        return Process.Start(psi)!;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
