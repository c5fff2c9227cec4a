using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace RemoteDx.Testing;

/// <summary>Finds and runs the second implementations the tests compare against (DCMTK, GDCM, libjpeg-turbo, pydicom,
/// Orthanc, ...). A missing one fails the test with the one Debian package that provides it, taken from
/// tests/debian-packages.tsv; a tool the map does not list fails with "add it to tests/debian-packages.tsv". Nothing is
/// skipped.</summary>
public static partial class Tool
{
    /// <summary>Debian's interpreter: the python3 first on PATH may lack pydicom and numpy.</summary>
    public const string Python = "/usr/bin/python3";

    public static string PydicomTestFiles => RequireDir("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    public static string PydicomCharsetFiles => RequireDir("/usr/lib/python3/dist-packages/pydicom/data/charset_files");

    /// <summary>One of pydicom's sample files.</summary>
    public static string PydicomTestFile(string name)
    {
        var path = Path.Combine(PydicomTestFiles, name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: {DebianPackages.InstallHint(PydicomTestFilesKey)}");
    }

    private const string PydicomTestFilesKey = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    /// <summary>The full path of <paramref name="tool"/> (a name looked up on PATH, /usr/bin and /usr/sbin, or an
    /// absolute path).</summary>
    public static string Require(string tool)
    {
        var hint = DebianPackages.InstallHint(tool);
        if (Path.IsPathRooted(tool))
        {
            return File.Exists(tool) ? tool : throw new InvalidOperationException($"'{tool}' not found: {hint}");
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool)))
            {
                return Path.Combine(dir, tool);
            }
        }
        throw new InvalidOperationException($"'{tool}' not found: {hint}");
    }

    /// <summary>A directory a package installs (listed in the map by its path).</summary>
    public static string RequireDir(string path) =>
        Directory.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: {DebianPackages.InstallHint(path)}");

    /// <summary>Fails unless Debian's python3 imports every module (each listed in the map as python3:MODULE).</summary>
    public static void RequirePython(params string[] modules)
    {
        var packages = modules.Select(m => DebianPackages.For("python3:" + m)).Distinct().ToList();
        var (code, _, stderr) = Run(Python, "-c", "import " + string.Join(", ", modules));
        if (code != 0)
        {
            throw new InvalidOperationException($"{Python} cannot import {string.Join(", ", modules)} ({stderr.Trim()}): apt-get install {string.Join(' ', packages)}");
        }
    }

    public sealed record Result(int Code, string Stdout, string Stderr);

    /// <summary>Runs <paramref name="tool"/> to completion (120 s at most) and returns its exit code and output.</summary>
    public static Result Run(string tool, params string[] args) => Run(tool, args, env: null);

    public static Result Run(string tool, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env) =>
        Execute(Require(tool), args, env, TimeSpan.FromSeconds(120));

    /// <summary>Runs <paramref name="exe"/> (a full path, already found: through <see cref="Require"/>, or inside a
    /// folder the map lists) to completion; an environment value of null removes that variable. Kills it and throws
    /// after <paramref name="timeout"/>.</summary>
    public static Result Execute(string exe, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env, TimeSpan timeout,
        string? stdin = null)
    {
        var argList = args.ToList();
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in argList)
        {
            psi.ArgumentList.Add(a);
        }
        // Python writes UTF-8 whatever the locale of whoever runs the tests.
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        // Debian's DCMTK leaves Nagle on unless asked; without it every DIMSE message waits for a delayed ACK.
        psi.Environment["TCP_NODELAY"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', argList)} did not finish in {timeout.TotalSeconds:0} s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a tool and fails the test unless it exits 0; returns its stdout.</summary>
    public static string RunOk(string tool, params string[] args)
    {
        var (code, stdout, stderr) = Run(tool, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {code}: {stderr}{stdout}{MissingModuleHint(stderr)}");
        }
        return stdout;
    }

    /// <summary>Runs a Python snippet with Debian's interpreter; returns its stdout.</summary>
    public static string PythonOk(string script, params string[] args) => RunOk(Python, ["-c", script, .. args]);

    /// <summary>When Python failed on an import, the package that provides the module (or where to list it).</summary>
    private static string MissingModuleHint(string stderr)
    {
        var m = MissingModule().Match(stderr);
        if (!m.Success)
        {
            return "";
        }
        var module = m.Groups[1].Value.Split('.')[0];
        return DebianPackages.Tools.TryGetValue("python3:" + module, out var package)
            ? $"\n(apt-get install {package})"
            : $"\n(python3:{module} is not in the tool → package map: add it to {DebianPackages.RepoRelativePath})";
    }

    [GeneratedRegex(@"No module named '([A-Za-z0-9_.]+)'")]
    private static partial Regex MissingModule();
}
