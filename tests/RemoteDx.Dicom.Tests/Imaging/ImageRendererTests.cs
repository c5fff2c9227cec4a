using RemoteDx.Dicom.Imaging;
using static RemoteDx.Dicom.Tests.Imaging.ImagingReference;

namespace RemoteDx.Dicom.Tests.Imaging;

/// <summary>Our rendering against pydicom's for each step of the grayscale and colour pipelines.</summary>
public sealed class ImageRendererTests
{
    [Theory]
    // Rescale Slope/Intercept, no window: min/max window over the Hounsfield values.
    [InlineData("CT_small.dcm", 1)]
    // Window Center/Width from the dataset, LINEAR.
    [InlineData("MR_small.dcm", 1)]
    // The same image in Explicit VR Big Endian. (MR_small_implicit.dcm needs the data dictionary, not on this branch.)
    [InlineData("MR_small_bigendian.dcm", 1)]
    [InlineData("SC_rgb_small_odd.dcm", 3)]
    // Native YBR_FULL_422 (Y1 Y2 Cb Cr pairs) upsampled by the decoder, then YBR_FULL -> RGB.
    [InlineData("SC_ybr_full_422_uncompressed.dcm", 3)]
    public void Pydicom_test_files_render_as_pydicom_renders_them(string name, int channels)
    {
        var path = PydicomFile(name);
        var image = Render(path);
        Assert.Equal(channels, image.Channels);
        AssertClose(Expected(path), image.Pixels);
    }

    [Theory]
    [InlineData("mono1.dcm", 1)]        // MONOCHROME1 inverted after the VOI
    [InlineData("voilut.dcm", 1)]       // VOI LUT Sequence, 12-bit entries, first value 100
    [InlineData("modlut.dcm", 1)]       // Modality LUT Sequence (OW data) then a window in its output units
    [InlineData("sigmoid.dcm", 1)]      // VOI LUT Function SIGMOID
    [InlineData("linexact.dcm", 1)]     // VOI LUT Function LINEAR_EXACT
    [InlineData("multiwin.dcm", 1)]     // two windows: the first is the default
    [InlineData("big32.dcm", 1)]        // 32-bit signed with a range too wide for a table, rescaled, min/max window
    [InlineData("palette8.dcm", 3)]     // Hot Iron palette: 8-bit entries packed two per word
    [InlineData("palette16.dcm", 3)]    // 16-bit entries, first value mapped 50, 12-bit stored values past the end
    [InlineData("segmented.dcm", 3)]    // Segmented palette: discrete and linear segments
    [InlineData("rgb16.dcm", 3)]        // 16-bit RGB scaled to 8 bits
    [InlineData("ybr_full.dcm", 3)]     // YBR_FULL -> RGB
    public void Derived_files_render_as_pydicom_renders_them(string name, int channels)
    {
        var path = Derived(name);
        var image = Render(path);
        Assert.Equal(channels, image.Channels);
        AssertClose(Expected(path), image.Pixels);
    }

    [Fact]
    public void Caller_window_overrides_the_dataset_window()
    {
        var path = PydicomFile("MR_small.dcm");
        var image = Render(path, new RenderOptions { WindowCenter = 300, WindowWidth = 500 });
        AssertClose(Expected(path, 300, 500), image.Pixels);
        Assert.NotEqual(Render(path).Pixels, image.Pixels);
    }

    [Fact]
    public void Caller_window_applies_to_rescaled_values()
    {
        var path = PydicomFile("CT_small.dcm");
        AssertClose(Expected(path, 40, 400), Render(path, new RenderOptions { WindowCenter = 40, WindowWidth = 400 }).Pixels);
    }

    [Fact]
    public void Window_index_chooses_among_several_windows()
    {
        var path = Derived("multiwin.dcm");
        AssertClose(Expected(path, index: 1), Render(path, new RenderOptions { WindowIndex = 1 }).Pixels);
    }

    [Fact]
    public void Window_index_past_the_stored_windows_is_an_error_naming_the_range()
    {
        var ex = Assert.ThrowsAny<DicomException>(() => Render(Derived("multiwin.dcm"), new RenderOptions { WindowIndex = 2 }));
        Assert.Contains("0..1", ex.Message);
    }

    [Fact]
    public void Monochrome1_is_the_inverse_of_the_same_pixels_as_monochrome2()
    {
        var m2 = Render(PydicomFile("MR_small.dcm")).Pixels;
        var m1 = Render(Derived("mono1.dcm")).Pixels;
        Assert.Equal(m2.Select(b => (byte)(255 - b)).ToArray(), m1);
    }

    [Fact]
    public void Invert_option_inverts_grey_and_colour()
    {
        foreach (var path in new[] { PydicomFile("CT_small.dcm"), Derived("palette8.dcm") })
        {
            var plain = Render(path).Pixels;
            var inverted = Render(path, new RenderOptions { Invert = true }).Pixels;
            Assert.Equal(plain.Select(b => (byte)(255 - b)).ToArray(), inverted);
        }
    }

    [Fact]
    public void A_frame_past_the_end_is_a_DicomException()
    {
        Assert.ThrowsAny<DicomException>(() => Render(PydicomFile("CT_small.dcm"), new RenderOptions { Frame = 1 }));
    }
}
