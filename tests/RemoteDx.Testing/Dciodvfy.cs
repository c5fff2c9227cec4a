namespace RemoteDx.Testing;

/// <summary>Runs dicom3tools' dciodvfy, which checks a file against its IOD. It exits 0 even when it reports errors, so
/// the verdict is read from its output: every line starting "Error" is an error. A missing dciodvfy fails the test.</summary>
public static class Dciodvfy
{
    /// <summary>The "Error" lines dciodvfy prints for the file, and all of its output (for the failure message).</summary>
    public static (IReadOnlyList<string> Errors, string Output) Check(string path)
    {
        var (_, stdout, stderr) = Tool.Run("dciodvfy", path);
        var output = stdout + stderr;
        var errors = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        return (errors, output);
    }

    /// <summary>Fails unless dciodvfy reports no error for the file (nor any warning, unless allowed).</summary>
    public static void AssertValid(string path, bool allowWarnings = true)
    {
        var (errors, output) = Check(path);
        var warnings = allowWarnings ? 0 : output.Split('\n').Count(l => l.StartsWith("Warning", StringComparison.Ordinal));
        if (errors.Count > 0 || warnings > 0)
        {
            throw new InvalidOperationException($"dciodvfy reports {errors.Count} error(s) and {warnings} warning(s) for {path}:\n{output}");
        }
    }
}
