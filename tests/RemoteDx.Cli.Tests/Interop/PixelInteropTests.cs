using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests.Interop;

/// <summary>Source images written by pydicom, encoded by DCMTK and GDCM in every transfer syntax we claim, decoded
/// by `remotedx pixels` and compared with what the other implementation decodes.</summary>
public sealed class InteropSources
{
    public InteropSources()
    {
        Dir = TempDirectory.ForTestRun();
        Tool.RunOk(Tool.Python, Script("make_sources.py"), Dir);
    }

    public string Dir { get; }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);
}

public sealed class PixelInteropTests(InteropSources sources) : IClassFixture<InteropSources>
{
    // (encoder, its arguments, decoder producing the reference from the encoded file or null when lossless)
    private static readonly Dictionary<string, (string Tool, string[] Args, string? RefTool, string[] RefArgs, string Syntax)> Encodings = new()
    {
        ["implicit-le"] = ("dcmconv", ["+ti"], null, [], "1.2.840.10008.1.2"),
        ["explicit-be"] = ("dcmconv", ["+tb"], null, [], "1.2.840.10008.1.2.2"),
        ["deflated"] = ("dcmconv", ["+td"], null, [], "1.2.840.10008.1.2.1.99"),
        ["rle-dcmtk"] = ("dcmcrle", [], null, [], "1.2.840.10008.1.2.5"),
        ["rle-gdcm"] = ("gdcmconv", ["--rle"], null, [], "1.2.840.10008.1.2.5"),
        ["jpeg-sv1"] = ("dcmcjpeg", ["+e1"], null, [], "1.2.840.10008.1.2.4.70"),
        ["jpeg-process14"] = ("dcmcjpeg", ["+el", "+sv", "6"], null, [], "1.2.840.10008.1.2.4.57"),
        ["jpeg-baseline"] = ("dcmcjpeg", ["+eb", "+cr"], "dcmdjpeg", ["+cn"], "1.2.840.10008.1.2.4.50"),
        ["jpeg-baseline-ybr444"] = ("dcmcjpeg", ["+eb", "+s4"], "dcmdjpeg", ["+cn"], "1.2.840.10008.1.2.4.50"),
        ["jpeg-extended"] = ("dcmcjpeg", ["+ee"], "dcmdjpeg", ["+cn"], "1.2.840.10008.1.2.4.51"),
        ["jpegls-lossless"] = ("dcmcjpls", ["+el"], null, [], "1.2.840.10008.1.2.4.80"),
        ["jpegls-near"] = ("dcmcjpls", ["+en"], "dcmdjpls", [], "1.2.840.10008.1.2.4.81"),
        ["jpegls-gdcm"] = ("gdcmconv", ["--jpegls"], null, [], "1.2.840.10008.1.2.4.80"),
        ["j2k-gdcm"] = ("gdcmconv", ["--j2k"], null, [], "1.2.840.10008.1.2.4.90"),
        ["j2k-lossy-gdcm"] = ("gdcmconv", ["--j2k", "--lossy", "-q", "30"], "gdcmconv", ["--raw"], "1.2.840.10008.1.2.4.91"),
    };

    private static readonly string[] Native = ["implicit-le", "explicit-be", "deflated"];
    private static readonly string[] Lossless8And16 = ["rle-dcmtk", "rle-gdcm", "jpeg-sv1", "jpeg-process14", "jpegls-lossless", "jpegls-gdcm", "j2k-gdcm"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        void Add(string source, params string[] encodings)
        {
            foreach (var e in encodings)
            {
                data.Add(source, e);
            }
        }
        Add("gray8.dcm", [.. Native, .. Lossless8And16, "jpeg-baseline", "jpeg-extended", "jpegls-near", "j2k-lossy-gdcm"]);
        // No lossy J2K of 12-bit data: GDCM's lossy encoder (marked "very experimental") overflows 12 bits there.
        Add("gray12u.dcm", [.. Native, .. Lossless8And16, "jpeg-extended", "jpegls-near"]);
        Add("gray16u.dcm", [.. Native, .. Lossless8And16]);
        Add("gray16s.dcm", [.. Native, "rle-dcmtk", "rle-gdcm", "j2k-gdcm"]);
        Add("gray12s.dcm", [.. Native, "rle-dcmtk", "j2k-gdcm"]);
        Add("rgb8.dcm", [.. Native, .. Lossless8And16, "jpeg-baseline", "jpeg-baseline-ybr444", "jpegls-near"]);
        Add("rgb8planar.dcm", [.. Native, "rle-dcmtk", "jpeg-sv1", "jpegls-lossless", "j2k-gdcm"]);
        Add("multiframe8.dcm", [.. Native, "rle-dcmtk", "rle-gdcm", "jpeg-sv1", "jpeg-baseline", "jpegls-lossless", "j2k-gdcm"]);
        Add("multiframe12.dcm", [.. Native, "rle-dcmtk", "jpeg-sv1", "jpegls-lossless", "j2k-gdcm"]);
        Add("bits1.dcm", Native);
        Add("gray32u.dcm", [.. Native, "rle-dcmtk"]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pixels_decode_to_what_the_reference_decodes(string source, string encoding)
    {
        var (tool, args, refTool, refArgs, syntax) = Encodings[encoding];
        var dir = TempDirectory.ForTestRun();
        var src = Path.Combine(sources.Dir, source);
        var encoded = Path.Combine(dir, "encoded.dcm");
        Tool.RunOk(tool, [.. args, src, encoded]);

        var file = DicomReader.ReadFile(encoded);
        Assert.Equal(syntax, file.TransferSyntax.Uid);

        // The reference: the original pixels when lossless, else the encoder's own toolkit decoding its output.
        var reference = src;
        if (refTool is not null)
        {
            reference = Path.Combine(dir, "reference.dcm");
            Tool.RunOk(refTool, [.. refArgs, encoded, reference]);
        }
        var frames = file.Dataset.GetInt(Tag.NumberOfFrames) ?? 1;
        for (var frame = 0; frame < frames; frame++)
        {
            var expectedPath = Path.Combine(dir, $"expected{frame}.raw");
            Tool.RunOk(Tool.Python, InteropSources.Script("pixels_ref.py"), reference, frame.ToString(System.Globalization.CultureInfo.InvariantCulture), expectedPath);
            var oursPath = Path.Combine(dir, $"ours{frame}.raw");
            var (rc, _, stderr) = RemoteDxCommand.Run("pixels", encoded, oursPath, "--frame", frame.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(rc == 0, $"remotedx pixels failed: {stderr}");
            var expected = File.ReadAllBytes(expectedPath);
            var ours = File.ReadAllBytes(oursPath);
            Assert.Equal(expected.Length, ours.Length);
            var diff = FirstDifference(expected, ours);
            Assert.True(diff < 0, $"{source} as {encoding}, frame {frame}: first difference at byte {diff} (expected {(diff >= 0 ? expected[diff] : 0)}, got {(diff >= 0 ? ours[diff] : 0)})");
        }
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }
        return a.Length == b.Length ? -1 : Math.Min(a.Length, b.Length);
    }
}
