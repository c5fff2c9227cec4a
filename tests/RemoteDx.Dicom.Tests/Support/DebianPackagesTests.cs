using System.Text.RegularExpressions;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Support;

/// <summary>tests/debian-packages.tsv is the one list of what the tests need from Debian: every external tool, path
/// and Python module the test sources use is in it, test.sh installs from it, and a missing tool's message names its
/// package once.</summary>
public sealed partial class DebianPackagesTests
{
    // Python modules that are not in the standard library; an import of one needs a python3:MODULE line.
    private static readonly HashSet<string> ThirdPartyModules =
        ["pydicom", "numpy", "torch", "torchvision", "sklearn", "gdcm", "PIL", "scipy", "onnx", "onnxruntime", "cv2", "skimage", "pandas"];

    [Fact]
    public void Every_external_tool_the_tests_call_is_in_the_map()
    {
        var uses = TestSourceUses();
        Assert.NotEmpty(uses);
        var missing = uses.Where(u => !Covered(u.Key)).Select(u => $"{u.Key} (used in {string.Join(", ", u.Value.Order(StringComparer.Ordinal))})").ToList();
        Assert.True(missing.Count == 0, $"add these to {DebianPackages.RepoRelativePath}:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void The_scan_sees_the_tools_it_is_meant_to_see()
    {
        // A guard against a scan that quietly finds nothing: these calls are known to be in the tests.
        var uses = TestSourceUses();
        foreach (var tool in new[] { "storescu", "dcmdump", "dcmcjpeg", "gdcmconv", "cjpeg", "djpeg", "openssl", "Orthanc", "chromedriver", "runuser", "python3:pydicom", "python3:torch", "python3:sklearn" })
        {
            Assert.True(uses.ContainsKey(tool), $"the scan no longer finds {tool}; found: {string.Join(", ", uses.Keys.Order(StringComparer.Ordinal))}");
        }
    }

    [Fact]
    public void A_missing_tool_names_its_package_once()
    {
        Assert.Equal("apt-get install libjpeg-turbo-progs", DebianPackages.InstallHint("cjpeg"));
        Assert.Equal("apt-get install dcmtk", DebianPackages.InstallHint("dcmdjpeg"));
        var unlisted = "rdx-no-such-tool"; // not a literal in the call, or the scan above would want it listed
        var ex = Assert.Throws<InvalidOperationException>(() => Tool.Require(unlisted));
        Assert.Contains("add it to tests/debian-packages.tsv", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_sh_installs_the_mapped_packages_and_the_readme_names_them()
    {
        var testSh = File.ReadAllText(Repo.Path("test.sh"));
        Assert.Contains("tests/debian-packages.tsv", testSh, StringComparison.Ordinal);
        Assert.DoesNotContain("packages=(", testSh, StringComparison.Ordinal);
        var readme = File.ReadAllText(Repo.Path("README.md"));
        var unnamed = DebianPackages.Packages.Where(p => !Regex.IsMatch(readme, $@"(?<![\w-]){Regex.Escape(p)}(?![\w-])")).ToList();
        Assert.True(unnamed.Count == 0, "README.md's package sentence lacks: " + string.Join(", ", unnamed));
    }

    [Fact]
    public void The_map_parses_tools_paths_modules_and_bare_packages()
    {
        var map = DebianPackages.Parse(["# comment", "", "cjpeg\tlibjpeg-turbo-progs", "python3:numpy\tpython3-numpy", "libcharls2", "djpeg\tlibjpeg-turbo-progs"]);
        Assert.Equal("libjpeg-turbo-progs", map.Tools["cjpeg"]);
        Assert.Equal("python3-numpy", map.Tools["python3:numpy"]);
        Assert.Equal(["libjpeg-turbo-progs", "python3-numpy", "libcharls2"], map.Packages);
        Assert.Throws<FormatException>(() => DebianPackages.Parse(["cjpeg libjpeg-turbo-progs"]));
        Assert.Throws<FormatException>(() => DebianPackages.Parse(["cjpeg\ta", "cjpeg\tb"]));
    }

    private static bool Covered(string use) =>
        DebianPackages.Tools.ContainsKey(use)
        || (use.StartsWith('/') && DebianPackages.Tools.Keys.Any(k => k.StartsWith('/') && use.StartsWith(k + "/", StringComparison.Ordinal)));

    /// <summary>What the test sources use from outside, each with the files that use it: string literals given to
    /// the tool runners (Tool.Require/Run/RunOk, CodecTestTools, Net, ProcessStartInfo), literals that name a DCMTK,
    /// GDCM, OpenJPEG or libjpeg tool (as in test data tables), absolute paths under /usr, and imports of third-party
    /// modules in Python run by the tests (tests/**/*.py, scripts inlined in C#, and tools/**/*.py the tests name).</summary>
    private static Dictionary<string, SortedSet<string>> TestSourceUses()
    {
        var uses = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Use(string what, string file)
        {
            if (!uses.TryGetValue(what, out var files))
            {
                uses[what] = files = new SortedSet<string>(StringComparer.Ordinal);
            }
            files.Add(file);
        }
        var tests = Repo.Path("tests");
        var sources = Directory.EnumerateFiles(tests, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".py", StringComparison.Ordinal))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .ToList();
        var pythonFiles = new HashSet<string>(sources.Where(f => f.EndsWith(".py", StringComparison.Ordinal)), StringComparer.Ordinal);
        foreach (var file in sources.Where(f => f.EndsWith(".cs", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var name = Path.GetRelativePath(Repo.Root, file);
            foreach (Match m in RunnerCall().Matches(text))
            {
                Use(m.Groups["tool"].Value, name);
            }
            foreach (Match m in ToolNameLiteral().Matches(text))
            {
                Use(m.Groups["tool"].Value, name);
            }
            foreach (Match m in UsrPath().Matches(text))
            {
                Use(m.Groups["path"].Value, name);
            }
            foreach (Match m in ScriptPath().Matches(text))
            {
                var script = Repo.Path(m.Groups["path"].Value);
                Assert.True(File.Exists(script), $"{name} runs {m.Groups["path"].Value}, which does not exist");
                pythonFiles.Add(script);
            }
            foreach (var module in PythonImports(text))
            {
                Use("python3:" + module, name);
            }
        }
        foreach (var file in pythonFiles)
        {
            var name = Path.GetRelativePath(Repo.Root, file);
            foreach (var module in PythonImports(File.ReadAllText(file)))
            {
                Use("python3:" + module, name);
            }
        }
        return uses;
    }

    private static IEnumerable<string> PythonImports(string text)
    {
        foreach (Match m in PythonImport().Matches(text))
        {
            var names = m.Groups["from"].Success ? [m.Groups["from"].Value] : m.Groups["names"].Value.Split(',');
            foreach (var n in names)
            {
                var module = n.Trim().Split(' ')[0].Split('.')[0];
                if (ThirdPartyModules.Contains(module))
                {
                    yield return module;
                }
            }
        }
    }

    [GeneratedRegex(@"(?:\bTool\.(?:Require|RequireDir|Run|RunOk)|\bCodecTestTools\.(?:RequireTool|RunChecked|Run)|\bNet\.(?:RunAsync|Start)|\bnew ProcessStartInfo)\(\s*""(?<tool>[^""]+)""")]
    private static partial Regex RunnerCall();

    [GeneratedRegex(@"""(?<tool>(?:dcm[a-z0-9]+|gdcm[a-z0-9]+|opj_[a-z0-9_]+|[cd]jpeg|jpegtran|(?:store|echo|find|move|get)sc[up]|dciodvfy|dsrdump|Orthanc|chromium|chromedriver|openssl|initdb|pg_ctl|runuser))""")]
    private static partial Regex ToolNameLiteral();

    [GeneratedRegex(@"""(?<path>/usr/(?:bin|sbin|lib|share)/[^""]+)""")]
    private static partial Regex UsrPath();

    [GeneratedRegex(@"""(?<path>(?:tools|tests)/[^""]+\.py)""")]
    private static partial Regex ScriptPath();

    [GeneratedRegex(@"^[ \t]*(?:from[ \t]+(?<from>[A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+(?<names>[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*))", RegexOptions.Multiline)]
    private static partial Regex PythonImport();
}
