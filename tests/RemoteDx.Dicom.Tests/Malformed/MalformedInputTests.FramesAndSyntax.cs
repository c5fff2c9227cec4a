using RemoteDx.Dicom.IO;
using RemoteDx.Testing;
using static RemoteDx.Dicom.Tests.Malformed.MalformedFiles;

namespace RemoteDx.Dicom.Tests.Malformed;

/// <summary>Two inputs that used to pass `remotedx pixels` silently: Number of Frames promising more frames than the
/// native pixel data holds, and a Transfer Syntax UID nobody knows.</summary>
public sealed partial class MalformedInputTests
{
    // ---- Number of Frames (0028,0008) beyond the native pixel data ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Only_the_frames_the_native_pixel_data_holds_are_exposed(bool lazy)
    {
        var file = ReadFromDisk(FramesShortOfNumberOfFrames(32), lazy);

        var count = PixelDataDecoder.CountFrames(file);

        Assert.Equal(new FrameCount(Declared: 5, Available: 2, PixelDataLength: 32, FrameBytes: 16), count);
        Assert.True(count.IsShort);
        Assert.Contains("(0028,0008)", count.Warning, StringComparison.Ordinal);
        Assert.Contains("32 bytes", count.Warning, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Repeat((byte)1, 16), PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(Enumerable.Repeat((byte)2, 16), PixelDataDecoder.DecodeFrame(file, 1));
    }

    [Theory]
    [InlineData(32, 2)]
    [InlineData(40, 2)] // two and a half frames: the half frame is not decoded
    [InlineData(79, 4)]
    [InlineData(10, 4)]
    public async Task A_frame_beyond_the_native_pixel_data_names_Number_of_Frames_and_the_data_length(int bytes, int frame)
    {
        var file = Read(FramesShortOfNumberOfFrames(bytes));

        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, frame));

        Assert.Equal(Tag.PixelData, ex.Tag);
        Assert.Contains("Number of Frames (0028,0008) is 5", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"holds {bytes} bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bit_packed_frames_are_counted_in_bits()
    {
        // 4x4 1-bit frames take 16 bits each (PS3.5 8.1.1): 6 bytes hold all three promised, 4 bytes only two.
        var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 1, frames: "3");
        var file = Read(b.Element(0x7FE0, 0x0010, "OB", [0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00]).ToArray());

        Assert.Equal(new FrameCount(3, 3, 6, 2), PixelDataDecoder.CountFrames(file));

        var shorter = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 1, frames: "3");
        var cut = Read(shorter.Element(0x7FE0, 0x0010, "OB", [0xFF, 0xFF, 0x01, 0x00]).ToArray());
        Assert.Equal(new FrameCount(3, 2, 4, 2), PixelDataDecoder.CountFrames(cut));
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], PixelDataDecoder.DecodeFrame(cut, 1));
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(cut, 2));
        Assert.Contains("(0028,0008)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pixel_data_with_every_promised_frame_has_no_warning()
    {
        var count = PixelDataDecoder.CountFrames(Read(FramesShortOfNumberOfFrames(80)));

        Assert.Equal(new FrameCount(5, 5, 80, 16), count);
        Assert.False(count.IsShort);
        Assert.Null(count.Warning);
    }

    // ---- Transfer Syntax UID (0002,0010) nobody knows ----

    [Fact]
    public async Task Native_pixel_data_under_an_unknown_transfer_syntax_is_not_passed_off_as_decoded()
    {
        var file = Read(FramesShortOfNumberOfFrames(80, MalformedFiles.UnknownSyntax));
        Assert.False(file.TransferSyntax.IsKnown);

        var ex = await Fails<DicomTransferSyntaxException>(() => PixelDataDecoder.DecodeFrame(file, 0));

        Assert.Equal(MalformedFiles.UnknownSyntax, ex.Uid);
        Assert.Equal(Tag.TransferSyntaxUID, ex.Tag);
        Assert.Contains($"'{MalformedFiles.UnknownSyntax}' in (0002,0010)", ex.Message, StringComparison.Ordinal);
        await Fails<DicomTransferSyntaxException>(() => PixelDataDecoder.CountFrames(file));
    }

    [Fact]
    public async Task Encapsulated_pixel_data_under_an_unknown_transfer_syntax_names_the_syntax()
    {
        var b = Image(MalformedFiles.UnknownSyntax, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: null);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]).SequenceDelimiter();
        var file = Read(b.ToArray());

        var ex = await Fails<DicomTransferSyntaxException>(() => PixelDataDecoder.DecodeFrame(file, 0));

        Assert.Contains("(0002,0010)", ex.Message, StringComparison.Ordinal);
        Assert.Contains(MalformedFiles.UnknownSyntax, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_set_that_does_not_parse_under_an_unknown_transfer_syntax_blames_the_syntax()
    {
        // Read as explicit VR little endian (PS3.5 A.4), this big-endian data set's first element, (0800,6000), claims
        // 8 bytes where 2 remain.
        var b = DicomBytes.Part10(MalformedFiles.UnknownSyntax).Raw([0x00, 0x08, 0x00, 0x60, (byte)'C', (byte)'S', 0x08, 0x00, (byte)'O', (byte)'T']);

        var ex = await Fails<DicomTransferSyntaxException>(() => Read(b.ToArray()));

        Assert.Equal(MalformedFiles.UnknownSyntax, ex.Uid);
        Assert.Contains("(0002,0010)", ex.Message, StringComparison.Ordinal);
        Assert.IsType<DicomFormatException>(ex.InnerException);
    }

    private static DicomFile ReadFromDisk(byte[] bytes, bool lazy)
    {
        var path = Path.Combine(TempDirectory.ForTestRun(), "file.dcm");
        File.WriteAllBytes(path, bytes);
        return DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = lazy });
    }
}
