using System.Net;
using System.Net.Sockets;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>Paths of the second implementations and sample files. A missing one fails the test with the Debian
/// package to install; nothing is skipped.</summary>
public static class Tools
{
    public const string OrthancPath = "/usr/sbin/Orthanc";

    public static string Orthanc => File.Exists(OrthancPath) ? OrthancPath
        : throw new InvalidOperationException($"{OrthancPath} not found: apt-get install orthanc");

    public static string PydicomTestFiles => RequireDir("/usr/lib/python3/dist-packages/pydicom/data/test_files", "python3-pydicom");

    public static string TestFile(string name)
    {
        var path = Path.Combine(PydicomTestFiles, name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: apt-get install python3-pydicom");
    }

    public static string Require(string tool, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool)))
            {
                return Path.Combine(dir, tool);
            }
        }
        throw new InvalidOperationException($"'{tool}' not found: apt-get install {package}");
    }

    public static string RequireDir(string path, string package) =>
        Directory.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: apt-get install {package}");

    /// <summary>The remotedx executable built next to this assembly (RemoteDx.csproj is a project reference).</summary>
    public static string RemoteDxExe
    {
        get
        {
            var exe = Path.Combine(AppContext.BaseDirectory, "remotedx");
            return File.Exists(exe) ? exe : throw new InvalidOperationException($"{exe} is missing: build RemoteDx.sln first");
        }
    }

    public static string TempDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), "rdx-" + prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A loopback port free right now, for peers (Orthanc) that cannot bind port 0 and report it.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Small ONNX models for serve's scoring workers, made by tools/inference/make_test_model.py with Debian's
/// python3-torch (random weights; applies to CT, CR, DX and other modalities).</summary>
public static class TestModels
{
    public static string Make(string modelsDir, string name = "testnet")
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "RemoteDx.sln")))
        {
            repo = repo.Parent;
        }
        var script = Path.Combine(repo?.FullName ?? throw new InvalidOperationException("RemoteDx.sln not found"), "tools/inference/make_test_model.py");
        if (!File.Exists("/usr/bin/python3"))
        {
            throw new InvalidOperationException("/usr/bin/python3 not found: apt-get install python3-torch python3-numpy");
        }
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { script, modelsDir, "--name", name })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_test_model.py failed (apt-get install python3-torch python3-numpy): {err.Result}");
        }
        return modelsDir;
    }
}
