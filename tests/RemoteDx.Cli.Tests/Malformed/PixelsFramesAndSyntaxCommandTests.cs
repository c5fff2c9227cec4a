using RemoteDx.Testing;
using static RemoteDx.Dicom.Tests.Malformed.MalformedFiles;

namespace RemoteDx.Cli.Tests.Malformed;

/// <summary>`remotedx pixels` on Number of Frames beyond the native pixel data (a one-line warning, the frames that
/// exist) and on a Transfer Syntax UID nobody knows (exit 1, one line naming it).</summary>
public sealed class PixelsFramesAndSyntaxCommandTests
{
    [Fact]
    public void Pixels_warns_in_one_line_and_writes_a_frame_that_exists()
    {
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(dir, "short.dcm");
        var output = Path.Combine(dir, "out.raw");
        File.WriteAllBytes(path, FramesShortOfNumberOfFrames(32));

        var (code, _, stderr) = RemoteDxCommand.Run("pixels", path, output, "--frame", "1");

        Assert.Equal(0, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("remotedx: warning: Number of Frames (0028,0008) is 5", line, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Repeat((byte)2, 16), File.ReadAllBytes(output));
    }


    [Fact]
    public void Pixels_asked_for_a_frame_that_is_not_there_fails_in_one_line()
    {
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(dir, "short.dcm");
        File.WriteAllBytes(path, FramesShortOfNumberOfFrames(32));

        var (code, line) = RunFailing(["pixels", path, Path.Combine(dir, "out.raw"), "--frame", "2"]);

        Assert.NotEqual(0, code);
        Assert.Contains("Number of Frames (0028,0008) is 5", line, StringComparison.Ordinal);
        Assert.Contains("holds 32 bytes", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "out.raw")));
    }


    [Fact]
    public void Pixels_under_an_unknown_transfer_syntax_fails_in_one_line_naming_the_UID()
    {
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(dir, "unknown-syntax.dcm");
        File.WriteAllBytes(path, FramesShortOfNumberOfFrames(80, UnknownSyntax));

        var (code, line) = RunFailing(["pixels", path, Path.Combine(dir, "out.raw")]);

        Assert.Equal(1, code);
        Assert.Contains(UnknownSyntax, line, StringComparison.Ordinal);
        Assert.Contains("(0002,0010)", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "out.raw")));
    }


    private static (int Code, string Line) RunFailing(string[] args)
    {
        var (code, stdout, stderr) = RemoteDxCommand.Run(args);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("remotedx: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", line, StringComparison.Ordinal);
        return (code, line.TrimEnd('\r'));
    }
}
