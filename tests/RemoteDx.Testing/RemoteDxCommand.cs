namespace RemoteDx.Testing;

/// <summary>The remotedx apphost built next to the test assembly (test projects that run it reference
/// src/RemoteDx/RemoteDx.csproj; this project does not, so the lowest layer's tests need not build it).</summary>
public static class RemoteDxCommand
{
    public static string Path
    {
        get
        {
            var exe = System.IO.Path.Combine(AppContext.BaseDirectory, "remotedx");
            return File.Exists(exe) ? exe
                : throw new InvalidOperationException($"{exe} is missing: reference src/RemoteDx/RemoteDx.csproj from the test project and build it");
        }
    }

    /// <summary>`remotedx users add NAME --role ROLE [--clinic AET]... --data DIR --password-stdin`, as an operator runs
    /// it; throws with the output unless it exits 0.</summary>
    public static Task AddUserAsync(string dataDirectory, string name, string role, string password, IEnumerable<string>? clinics = null,
        IDictionary<string, string>? env = null)
    {
        var args = new List<string> { "users", "add", name, "--role", role, "--data", dataDirectory, "--password-stdin" };
        foreach (var c in clinics ?? [])
        {
            args.AddRange(["--clinic", c]);
        }
        return ChildProcess.RunAsync(Path, args, stdin: password + "\n", env: env);
    }
}
