using RemoteDx.Testing;
using SixLabors.ImageSharp;
using static RemoteDx.Dicom.Tests.Imaging.ImagingReference;

namespace RemoteDx.Cli.Tests.Imaging;

/// <summary>`remotedx render FILE OUT [--frame N] [--wc C --ww W]` end to end.</summary>
public sealed class RenderCliTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var (code, stdout, stderr) = RemoteDxCommand.Run(args);
        return (code, stdout, stderr);
    }

    [Fact]
    public void Render_writes_a_png_of_the_image_size_with_the_rendered_pixels()
    {
        var src = PydicomFile("CT_small.dcm");
        var png = Path.Combine(TempDirectory.ForTestRun(), "ct.png");
        var (code, _, stderr) = Run("render", src, png, "--wc", "40", "--ww", "400");
        Assert.True(code == 0, stderr);
        using (var image = Image.Load(png))
        {
            Assert.Equal(128, image.Width);
            Assert.Equal(128, image.Height);
        }
        AssertClose(Expected(src, 40, 400), ReadPng(png, 1));
    }

    [Fact]
    public void Render_writes_a_colour_png_for_a_palette_image()
    {
        var png = Path.Combine(TempDirectory.ForTestRun(), "palette.png");
        var (code, _, stderr) = Run("render", Derived("palette8.dcm"), png);
        Assert.True(code == 0, stderr);
        Assert.Equal(Render(Derived("palette8.dcm")).Pixels, ReadPng(png, 3));
    }

    [Theory]
    [InlineData("out.jpg")]
    [InlineData("out.JPEG")]
    public void Render_writes_jpeg_for_a_jpeg_extension(string name)
    {
        var jpg = Path.Combine(TempDirectory.ForTestRun(), name);
        var (code, _, stderr) = Run("render", PydicomFile("SC_ybr_full_422_uncompressed.dcm"), jpg);
        Assert.True(code == 0, stderr);
        var bytes = File.ReadAllBytes(jpg);
        Assert.True(bytes is [0xFF, 0xD8, ..], "not a JPEG stream");
        using var image = Image.Load(jpg);
        Assert.Equal((100, 100), (image.Width, image.Height));
    }

    [Fact]
    public void A_bad_frame_exits_1_with_one_line_on_stderr_and_writes_nothing()
    {
        var dir = TempDirectory.ForTestRun();
        var png = Path.Combine(dir, "x.png");
        var (code, _, stderr) = Run("render", PydicomFile("CT_small.dcm"), png, "--frame", "5");
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("frame 5", stderr);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void An_unknown_extension_exits_1_with_one_line_on_stderr()
    {
        var (code, _, stderr) = Run("render", PydicomFile("CT_small.dcm"), Path.Combine(TempDirectory.ForTestRun(), "x.bmp"));
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(".png", stderr);
    }
}
