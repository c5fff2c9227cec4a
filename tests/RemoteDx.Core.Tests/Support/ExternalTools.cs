using System.Diagnostics;

namespace RemoteDx.Core.Tests.Support;

/// <summary>Runs the second implementations tests compare against (DCMTK, GDCM, pydicom). A missing tool fails the
/// test with the Debian package to install; nothing is skipped silently.</summary>
public static class ExternalTools
{
    public const string Python = "/usr/bin/python3";

    public static string PydicomTestFiles => RequireDir("/usr/lib/python3/dist-packages/pydicom/data/test_files", "python3-pydicom");

    public static string PydicomCharsetFiles => RequireDir("/usr/lib/python3/dist-packages/pydicom/data/charset_files", "python3-pydicom");

    public static string RequireDir(string path, string package) =>
        Directory.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: apt-get install {package}");

    public static string Require(string tool, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin"))
        {
            var p = Path.Combine(dir, tool);
            if (File.Exists(p))
            {
                return p;
            }
        }
        throw new InvalidOperationException($"'{tool}' not found: apt-get install {package}");
    }

    public static (int Code, string Stdout, string Stderr) Run(string tool, string package, params string[] args)
    {
        var exe = tool.StartsWith('/') ? tool : Require(tool, package);
        if (tool.StartsWith('/') && !File.Exists(tool))
        {
            throw new InvalidOperationException($"'{tool}' not found: apt-get install {package}");
        }
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in 120 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a tool and fails the test unless it exits 0.</summary>
    public static string RunOk(string tool, string package, params string[] args)
    {
        var (code, stdout, stderr) = Run(tool, package, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {code}: {stderr}");
        }
        return stdout;
    }

    /// <summary>Runs a Python snippet with Debian's interpreter (python3-pydicom, python3-numpy).</summary>
    public static string PythonOk(string script, params string[] args) =>
        RunOk(Python, "python3-pydicom python3-numpy", ["-c", script, .. args]);

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "rdx-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }
}
