using RemoteDx.Dicom.Tests.Malformed;
using RemoteDx.Testing;
using static RemoteDx.Dicom.Tests.Malformed.MalformedFiles;

namespace RemoteDx.Cli.Tests.Malformed;

/// <summary>`remotedx dump` and `remotedx pixels` on bad input: a non-zero exit and one line on stderr, never a stack
/// trace or a partial output file.</summary>
public sealed class BadInputCommandTests
{
    // Longer than the reader tests' deadline: this includes starting a process on a busy machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static TheoryData<string> BadFiles() => ["empty", "random", "truncated", "nested", "cut-deflate", "short-pixels", "bits7"];

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Dump_and_pixels_exit_non_zero_with_one_line_on_stderr(string kind)
    {
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(dir, kind + ".dcm");
        File.WriteAllBytes(path, BadFile(kind));
        string[][] commands = kind is "short-pixels" or "bits7"
            ? [["pixels", path, Path.Combine(dir, "out.raw")]]
            : [["dump", path], ["dump", path, "--json"], ["pixels", path, Path.Combine(dir, "out.raw")]];
        foreach (var args in commands)
        {
            var (code, stdout, stderr) = await RemoteDxCommand.RunAsync(args).WaitAsync(Deadline);
            Assert.NotEqual(0, code);
            Assert.Equal("", stdout);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("remotedx: ", lines[0], StringComparison.Ordinal);
        }
        Assert.False(File.Exists(Path.Combine(dir, "out.raw")));
    }

    internal static byte[] BadFile(string kind)
    {
        switch (kind)
        {
            case "empty":
                return [];
            case "random":
                return RandomBytes(1000, seed: 99);
            case "truncated":
            {
                var b = DicomBytes.Part10(DicomBytes.ExplicitLE).Element(0x0010, 0x0010, "PN", DicomBytes.Text("Doe^John"));
                return b.ToArray()[..^3];
            }
            case "nested":
                return Nested(5000, explicitVR: true, undefinedLengths: false);
            case "cut-deflate":
            {
                var ds = new DicomBytes().Element(0x0008, 0x0060, "CS", DicomBytes.Text("OT")).Element(0x0010, 0x4000, "UT", RandomBytes(4000, seed: 1));
                return DicomBytes.Part10(DicomBytes.DeflatedLE).Raw(DicomBytes.Deflate(ds.ToArray()).AsSpan(0, 200)).ToArray();
            }
            case "short-pixels":
            {
                var b = Image(DicomBytes.ExplicitLE, rows: 16, columns: 16, samples: 1, bitsAllocated: 16, frames: null);
                return b.Element(0x7FE0, 0x0010, "OW", new byte[100]).ToArray();
            }
            default:
            {
                var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 7, frames: null);
                return b.Element(0x7FE0, 0x0010, "OB", new byte[16]).ToArray();
            }
        }
    }
}
