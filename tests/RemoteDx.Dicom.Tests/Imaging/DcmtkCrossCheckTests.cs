using RemoteDx.Testing;
using static RemoteDx.Dicom.Tests.Imaging.ImagingReference;

namespace RemoteDx.Dicom.Tests.Imaging;

/// <summary>Windowing cross-checked against DCMTK's dcm2pnm, a third implementation. DCMTK rounds differently, so
/// values may differ by one.</summary>
public sealed class DcmtkCrossCheckTests
{
    [Theory]
    [InlineData("CT_small.dcm", new[] { "+Ww", "40", "400" })]        // explicit window over Hounsfield units
    [InlineData("CT_small.dcm", new[] { "+Wm" })]                     // min/max window
    [InlineData("MR_small.dcm", new[] { "+Wi", "1" })]                // the dataset's first window
    public void Grey_rendering_matches_dcm2pnm(string name, string[] dcmtkOptions)
    {
        var path = PydicomFile(name);
        var options = new Dicom.Imaging.RenderOptions();
        if (dcmtkOptions[0] == "+Ww")
        {
            options = options with { WindowCenter = double.Parse(dcmtkOptions[1], System.Globalization.CultureInfo.InvariantCulture), WindowWidth = double.Parse(dcmtkOptions[2], System.Globalization.CultureInfo.InvariantCulture) };
        }
        AssertClose(Dcm2pnm(path, dcmtkOptions), Render(path, options).Pixels);
    }

    [Theory]
    [InlineData("sigmoid.dcm")]
    [InlineData("mono1.dcm")]
    [InlineData("voilut.dcm")]
    [InlineData("palette8.dcm")]
    public void Derived_files_match_dcm2pnm(string name)
    {
        var path = Derived(name);
        string[] options = name == "voilut.dcm" ? ["+Wl", "1"] : name == "palette8.dcm" ? [] : ["+Wi", "1"];
        var ours = Render(path);
        AssertClose(Dcm2pnm(path, options, ours.Channels), ours.Pixels);
    }

    private static byte[] Dcm2pnm(string path, string[] options, int channels = 1)
    {
        var png = Path.Combine(TempDirectory.ForTestRun(), "dcmtk.png");
        Tool.RunOk("dcm2pnm", ["+on", .. options, path, png]);
        return ReadPng(png, channels);
    }
}
