namespace RemoteDx.Dicom.Tests.Support;

/// <summary>Runs dicom3tools' dciodvfy, which checks a file against its IOD. It exits 0 even when it reports errors, so
/// the verdict is read from its output: every line starting "Error" is an error. A missing dciodvfy fails the test.</summary>
public static class Dciodvfy
{
    public const string Package = "dicom3tools";

    /// <summary>The "Error" lines dciodvfy prints for the file, and all of its output (for the failure message).</summary>
    public static (IReadOnlyList<string> Errors, string Output) Check(string path)
    {
        var (_, stdout, stderr) = ExternalTools.Run("dciodvfy", Package, path);
        var output = stdout + stderr;
        var errors = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        return (errors, output);
    }

    /// <summary>Fails unless dciodvfy reports no error for the file.</summary>
    public static void AssertValid(string path)
    {
        var (errors, output) = Check(path);
        if (errors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"dciodvfy reports {errors.Count} error(s) for {path}:\n{output}");
        }
    }
}
