namespace RemoteDx.Testing;

/// <summary>The remotedx apphost built next to the test assembly, run as a child process (test projects that run it
/// reference src/RemoteDx/RemoteDx.csproj; this project does not, so the lowest layer's tests need not build it).
/// The batch commands never see a models folder from the environment of whoever runs the tests.</summary>
public static class RemoteDxCommand
{
    private static readonly Dictionary<string, string?> CleanEnvironment = new(StringComparer.Ordinal)
    {
        ["RemoteDx__Inference__ModelsDirectory"] = null,
        ["DOTNET_NOLOGO"] = "1",
    };

    public static string Path
    {
        get
        {
            var exe = System.IO.Path.Combine(AppContext.BaseDirectory, "remotedx");
            return File.Exists(exe) ? exe
                : throw new InvalidOperationException($"{exe} is missing: reference src/RemoteDx/RemoteDx.csproj from the test project and build it");
        }
    }

    /// <summary>Runs `remotedx ARGS...` to completion (5 minutes at most): exit code, stdout, stderr.</summary>
    public static Tool.Result Run(params string[] args) => Tool.Execute(Path, args, CleanEnvironment, TimeSpan.FromMinutes(5));

    public static Task<Tool.Result> RunAsync(params string[] args) => Task.Run(() => Run(args));

    /// <summary>Starts `remotedx ARGS...` and returns at once; disposing kills it.</summary>
    public static ChildProcess Start(params string[] args) =>
        ChildProcess.Start(Path, args, new Dictionary<string, string>(StringComparer.Ordinal) { ["DOTNET_NOLOGO"] = "1" }, removeEnvironment: ["RemoteDx__Inference__ModelsDirectory"]);

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
