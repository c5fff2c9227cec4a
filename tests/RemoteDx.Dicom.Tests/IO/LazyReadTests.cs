using RemoteDx.Dicom.IO;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.IO;

public sealed class LazyReadTests
{
    [Fact]
    public void Header_only_read_stops_before_pixel_data_and_lazy_read_loads_it_on_demand()
    {
        var path = Path.Combine(Tool.PydicomTestFiles, "CT_small.dcm");
        var full = DicomReader.ReadFile(path);
        var header = DicomReader.ReadFile(path, new DicomReadOptions { StopBeforePixelData = true });
        Assert.False(header.Dataset.Contains(Tag.PixelData));
        Assert.Equal(full.Dataset.Count(e => e.Tag < Tag.PixelData), header.Dataset.Count);

        var lazy = DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = true });
        var pixel = lazy.Dataset[Tag.PixelData]!;
        Assert.False(pixel.IsLoaded);
        Assert.True(full.Dataset[Tag.PixelData]!.Buffer.Span.SequenceEqual(pixel.Buffer.Span));
        Assert.True(pixel.IsLoaded);

        // Encapsulated pixel data: fragments are loaded lazily too.
        var jpegPath = Path.Combine(Tool.PydicomTestFiles, "MR_small_jpeg_ls_lossless.dcm");
        var lazyJ = DicomReader.ReadFile(jpegPath, new DicomReadOptions { LazyPixelData = true });
        var fullJ = DicomReader.ReadFile(jpegPath);
        Assert.Equal(PixelDataDecoder.DecodeFrame(fullJ, 0), PixelDataDecoder.DecodeFrame(lazyJ, 0));
    }
}
