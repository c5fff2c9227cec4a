namespace RemoteDx.Testing;

/// <summary>tests/debian-packages.tsv: which Debian package each external tool, path or Python module the tests use
/// comes from, and the packages test.sh installs. Read from the copy next to the test assembly, else from the
/// checkout.</summary>
public static class DebianPackages
{
    public const string FileName = "debian-packages.tsv";

    /// <summary>The map's location for messages: the file a developer edits.</summary>
    public const string RepoRelativePath = "tests/" + FileName;

    private static readonly Lazy<Map> Loaded = new(() => Parse(File.ReadAllLines(Locate())));

    /// <summary>tool-or-path → package.</summary>
    public static IReadOnlyDictionary<string, string> Tools => Loaded.Value.Tools;

    /// <summary>Every package named, in file order, each once.</summary>
    public static IReadOnlyList<string> Packages => Loaded.Value.Packages;

    /// <summary>The package that provides <paramref name="toolOrPath"/>; throws when the map does not list it.</summary>
    public static string For(string toolOrPath) =>
        Tools.TryGetValue(toolOrPath, out var package) ? package
            : throw new InvalidOperationException($"'{toolOrPath}' is not in the tool → package map: add it to {RepoRelativePath}");

    /// <summary>What to run when <paramref name="toolOrPath"/> is missing.</summary>
    public static string InstallHint(string toolOrPath) => "apt-get install " + For(toolOrPath);

    public static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(beside) ? beside : Repo.Path(RepoRelativePath);
    }

    public sealed record Map(IReadOnlyDictionary<string, string> Tools, IReadOnlyList<string> Packages);

    /// <summary>Lines are <c>tool-or-path TAB package</c> or a package alone; # starts a comment.</summary>
    public static Map Parse(IEnumerable<string> lines)
    {
        var tools = new Dictionary<string, string>(StringComparer.Ordinal);
        var packages = new List<string>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length > 2 || fields.Any(f => f.Contains(' ', StringComparison.Ordinal)))
            {
                throw new FormatException($"{RepoRelativePath} line {number}: expected 'tool<TAB>package' or 'package', got '{raw}'");
            }
            var package = fields[^1];
            if (fields.Length == 2 && !tools.TryAdd(fields[0], package))
            {
                throw new FormatException($"{RepoRelativePath} line {number}: '{fields[0]}' is listed twice");
            }
            if (!packages.Contains(package))
            {
                packages.Add(package);
            }
        }
        return new Map(tools, packages);
    }
}
