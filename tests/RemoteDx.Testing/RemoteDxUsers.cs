namespace RemoteDx.Testing;

/// <summary>Runs `remotedx users ...` as an operator would, the password on standard input.</summary>
public static class RemoteDxUsers
{
    /// <summary>`remotedx users ARGS...` with <paramref name="stdin"/> as one line of input: exit code, and stdout
    /// followed by stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string stdin, IDictionary<string, string>? env = null)
    {
        var (code, stdout, stderr) = await Task.Run(() => RemoteDxCommand.Run(["users", .. args], stdin + "\n", env));
        return (code, stdout + stderr);
    }

    /// <summary>`remotedx users add NAME --role ROLE [--clinic AET]... --password-stdin --data DIR`; throws with the
    /// output unless it exits 0.</summary>
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
        if (code != 0)
        {
            throw new InvalidOperationException($"remotedx users add {name} exited {code}: {output}");
        }
    }
}
