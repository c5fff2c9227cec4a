using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

/// <summary>The relay's --compress: native pixel data re-encoded losslessly decodes to exactly the original.</summary>
public sealed class LosslessTranscoderTests
{
    public static TheoryData<string, int, int, int> Cases() => new()
    {
        { "jpeg-ls", 16, 16, 0 },
        { "jpeg-ls", 16, 12, 0 },
        { "jpeg-ls", 16, 12, 1 },
        { "jpeg-ls", 8, 8, 0 },
        { "j2k", 16, 16, 0 },
        { "j2k", 16, 12, 0 },
        { "j2k", 16, 12, 1 },
        { "j2k", 8, 8, 0 },
    };

    private static TransferSyntax Target(string name) => name == "j2k" ? TransferSyntax.JPEG2000Lossless : TransferSyntax.JPEGLSLossless;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_then_decode_equals_the_original_frame(string target, int bitsAllocated, int bitsStored, int pixelRepresentation)
    {
        var file = NativeFile(96, 80, bitsAllocated, bitsStored, pixelRepresentation, frames: 1);
        var format = PixelFormat.FromDataset(file.Dataset);
        var original = PixelDataDecoder.DecodeFrame(file.Dataset, file.TransferSyntax, 0);
        var codec = CodecRegistry.ForTransferSyntax(Target(target))!;
        Assert.True(codec.CanEncode);

        var encoded = codec.Encode(original, format);
        var decoded = new byte[format.DecodedFrameBytes];
        codec.Decode(encoded, format, decoded);

        Assert.Equal(original, decoded);
        Assert.True(encoded.Length < original.Length, $"{encoded.Length} bytes encoded from {original.Length}");
    }

    [Theory]
    [InlineData("jpeg-ls")]
    [InlineData("j2k")]
    public void A_native_file_becomes_an_encapsulated_one_with_identical_frames(string target)
    {
        var file = NativeFile(64, 48, 16, 12, 0, frames: 2);
        var originals = Enumerable.Range(0, 2).Select(f => PixelDataDecoder.DecodeFrame(file.Dataset, file.TransferSyntax, f)).ToList();

        var encoded = LosslessTranscoder.TryEncode(file, Target(target), out var reason);

        Assert.True(encoded is not null, reason);
        Assert.Equal(Target(target), encoded.TransferSyntax);
        var reread = RemoteDx.Dicom.IO.DicomReader.Read(new MemoryStream(encoded.ToBytes()));
        Assert.Equal(Target(target).Uid, reread.TransferSyntax.Uid);
        Assert.IsType<DicomFragments>(reread.Dataset[Tag.PixelData]);
        for (var f = 0; f < 2; f++)
        {
            Assert.Equal(originals[f], PixelDataDecoder.DecodeFrame(reread, f));
        }
    }

    [Fact]
    public void An_encapsulated_file_is_left_as_it_is()
    {
        var file = LosslessTranscoder.TryEncode(NativeFile(32, 32, 8, 8, 0, 1), TransferSyntax.JPEGLSLossless, out _)!;

        Assert.Null(LosslessTranscoder.TryEncode(file, TransferSyntax.JPEG2000Lossless, out var reason));
        Assert.Equal("already encapsulated", reason);
    }

    /// <summary>A smooth gradient with noise and, for signed data, negative values: what a radiograph looks like to a
    /// predictive coder.</summary>
    private static DicomFile NativeFile(int columns, int rows, int bitsAllocated, int bitsStored, int pixelRepresentation, int frames)
    {
        var ds = new Dataset();
        ds.SetString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.1");
        ds.SetString(Tag.SOPInstanceUID, VR.UI, "2.25.1234567890");
        ds.SetUInt16(Tag.Rows, (ushort)rows);
        ds.SetUInt16(Tag.Columns, (ushort)columns);
        ds.SetUInt16(Tag.SamplesPerPixel, 1);
        ds.SetString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.SetUInt16(Tag.BitsAllocated, (ushort)bitsAllocated);
        ds.SetUInt16(Tag.BitsStored, (ushort)bitsStored);
        ds.SetUInt16(Tag.HighBit, (ushort)(bitsStored - 1));
        ds.SetUInt16(Tag.PixelRepresentation, (ushort)pixelRepresentation);
        if (frames > 1)
        {
            ds.SetString(Tag.NumberOfFrames, VR.IS, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var random = new Random(17);
        var bytes = bitsAllocated / 8;
        var data = new byte[columns * rows * bytes * frames];
        var max = (1 << bitsStored) - 1;
        for (var i = 0; i < columns * rows * frames; i++)
        {
            var x = i % columns;
            var y = i / columns % rows;
            var v = Math.Clamp((x + y) * max / (columns + rows) + random.Next(-3, 4), 0, max);
            if (pixelRepresentation == 1)
            {
                v -= (max + 1) / 2; // two's complement, sign-extended to Bits Allocated as the stored value
            }
            data[i * bytes] = (byte)v;
            if (bytes == 2)
            {
                data[i * bytes + 1] = (byte)(v >> 8);
            }
        }
        ds.Set(new DicomElement(Tag.PixelData, bitsAllocated == 8 ? VR.OB : VR.OW, data));
        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation();
        return file;
    }
}
