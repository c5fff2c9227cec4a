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
    public static Tool.Result Run(params string[] args) => Run(args, stdin: null);

    /// <summary>Runs `remotedx ARGS...` with <paramref name="stdin"/> (when given) on its standard input.</summary>
    public static Tool.Result Run(IEnumerable<string> args, string? stdin, IDictionary<string, string>? env = null)
    {
        var environment = new Dictionary<string, string?>(CleanEnvironment, StringComparer.Ordinal);
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            environment[k] = v;
        }
        return Tool.Execute(Path, args, environment, TimeSpan.FromMinutes(5), stdin);
    }

    public static Task<Tool.Result> RunAsync(params string[] args) => Task.Run(() => Run(args));

    /// <summary>Starts `remotedx ARGS...` and returns at once; disposing kills it.</summary>
    public static ChildProcess Start(params string[] args) =>
        ChildProcess.Start(Path, args, new Dictionary<string, string>(StringComparer.Ordinal) { ["DOTNET_NOLOGO"] = "1" }, removeEnvironment: ["RemoteDx__Inference__ModelsDirectory"]);
}
