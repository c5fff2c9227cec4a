using System.Diagnostics;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>Runs `remotedx users add` as an operator would, the password on standard input.</summary>
public static class RemoteDxUsers
{
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string stdin, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(Tools.RemoteDxExe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.ArgumentList.Add("users");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteLineAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    public static async Task AddAsync(string dataDirectory, string name, string role, string password, IEnumerable<string>? clinics = null,
        IDictionary<string, string>? env = null)
    {
        var args = new List<string> { "add", name, "--role", role, "--password-stdin", "--data", dataDirectory };
        foreach (var c in clinics ?? [])
        {
            args.Add("--clinic");
            args.Add(c);
        }
        var (code, output) = await RunAsync(args, password, env);
        Assert.True(code == 0, $"remotedx users add {name} exited {code}: {output}");
    }
}
