namespace RemoteDx.Browser.Tests.Support;

/// <summary>Where the tools and artifacts are. A missing browser or driver fails the test with the Debian package to
/// install; nothing is skipped.</summary>
public static class Paths
{
    public const string Chromium = "/usr/bin/chromium";
    public const string ChromeDriver = "/usr/bin/chromedriver";
    public const string AptLine = "apt-get install -y chromium chromium-driver";

    public static void RequireBrowser()
    {
        foreach (var path in new[] { Chromium, ChromeDriver })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} not found: {AptLine}");
            }
        }
    }

    public static string Require(string tool, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool)))
            {
                return Path.Combine(dir, tool);
            }
        }
        throw new InvalidOperationException($"'{tool}' not found: apt-get install -y {package}");
    }

    /// <summary>The remotedx apphost built next to this assembly (RemoteDx.csproj is a project reference).</summary>
    public static string RemoteDxExe
    {
        get
        {
            var exe = Path.Combine(AppContext.BaseDirectory, "remotedx");
            return File.Exists(exe) ? exe : throw new InvalidOperationException($"{exe} is missing: build RemoteDx.sln first");
        }
    }

    /// <summary>The checkout root (the folder holding RemoteDx.sln), found upwards from the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RemoteDx.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("RemoteDx.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string WwwRoot => Path.Combine(RepositoryRoot, "src", "RemoteDx", "wwwroot");

    /// <summary>Screenshots go to TestResults/browser at the checkout root (test.sh's results directory, kept by CI).</summary>
    public static string ArtifactDirectory
    {
        get
        {
            var dir = Path.Combine(RepositoryRoot, "TestResults", "browser");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static string TempDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), "rdx-" + prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }
}
