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

/// <summary>Reading a received file's data set with its first bytes already in memory (what the storage SCP keeps while
/// writing it): the same data set whatever part of the header the kept bytes cover, the pixel data still read lazily
/// from the file.</summary>
public sealed class HeadReadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(131)]
    [InlineData(300)]
    [InlineData(777)]
    [InlineData(int.MaxValue)]
    public void A_data_set_read_from_kept_head_bytes_and_the_file_equals_one_read_from_the_file(int kept)
    {
        var path = Path.Combine(Tool.PydicomTestFiles, "CT_small.dcm");
        var bytes = File.ReadAllBytes(path);
        var file = DicomReader.ReadFile(path);
        var offset = 128 + 4 + 12 + (long)file.FileMetaInformation.GetInt(Tag.FileMetaInformationGroupLength)!.Value;
        var syntax = TransferSyntax.ExplicitVRLittleEndian;
        var options = new DicomReadOptions { LazyPixelData = true };
        var head = bytes.AsMemory(0, Math.Min(kept, bytes.Length));

        var fromFile = DicomReader.ReadDatasetFile(path, syntax, options, offset);
        var fromHead = DicomReader.ReadDatasetFile(path, head, bytes.Length, syntax, options, offset);

        Assert.Equal(fromFile.Select(e => e.Tag), fromHead.Select(e => e.Tag));
        foreach (var e in fromFile.Where(e => e.Tag != Tag.PixelData))
        {
            Assert.True(e.Buffer.Span.SequenceEqual(fromHead[e.Tag]!.Buffer.Span), $"{e.Tag} differs with {kept} bytes kept");
        }
        var pixels = fromHead[Tag.PixelData]!;
        Assert.False(pixels.IsLoaded);
        Assert.True(file.Dataset[Tag.PixelData]!.Buffer.Span.SequenceEqual(pixels.Buffer.Span));
    }

    [Fact]
    public void When_the_kept_bytes_hold_the_whole_header_the_file_is_not_opened_at_all()
    {
        var path = Path.Combine(Tool.PydicomTestFiles, "CT_small.dcm");
        var bytes = File.ReadAllBytes(path);
        var file = DicomReader.ReadFile(path);
        var offset = 128 + 4 + 12 + (long)file.FileMetaInformation.GetInt(Tag.FileMetaInformationGroupLength)!.Value;
        var gone = Path.Combine(Path.GetTempPath(), "rdx-no-such-file-" + Guid.NewGuid().ToString("N") + ".dcm");

        var ds = DicomReader.ReadDatasetFile(gone, bytes, bytes.Length, TransferSyntax.ExplicitVRLittleEndian,
            new DicomReadOptions { LazyPixelData = true }, offset);

        Assert.Equal(file.Dataset.GetString(Tag.SOPInstanceUID), ds.GetString(Tag.SOPInstanceUID));
        // Past the kept bytes the file is needed: a head that stops inside the header reads it, and it is gone.
        Assert.ThrowsAny<IOException>(() => DicomReader.ReadDatasetFile(gone, bytes.AsMemory(0, (int)offset + 16), bytes.Length,
            TransferSyntax.ExplicitVRLittleEndian, new DicomReadOptions { LazyPixelData = true }, offset));
    }
}
