using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

[Collection(CodecCollection.Name)]
public sealed class RleLosslessCodecTests(CodecReferenceFixture fixture)
{
    private readonly RleLosslessCodec _codec = new();

    [Theory]
    [InlineData("gray8")]
    [InlineData("gray12")]
    [InlineData("gray16")]
    [InlineData("signed16")]
    [InlineData("signed12")]
    [InlineData("rgb8")]
    [InlineData("rgb8planar")]
    [InlineData("gray32")]
    public void Decodes_DCMTK_frames_bit_exactly(string source)
    {
        var c = fixture.Compress(source, "dcmcrle");
        Assert.Equal(TransferSyntax.RLELossless, c.Syntax);
        var decoded = new byte[c.Format.DecodedFrameBytes];
        _codec.Decode(c.Frame, c.Format, decoded);
        Assert.Equal(fixture.Original(source), decoded);
    }

    [Theory]
    // gdcmconv --rle asserts on odd-length pixel data, so only the 16- and 32-bit sources are used.
    [InlineData("gray12")]
    [InlineData("signed16")]
    [InlineData("gray32")]
    public void Decodes_GDCM_frames_bit_exactly(string source)
    {
        var c = fixture.Compress(source, "gdcmconv", "--rle");
        Assert.Equal(TransferSyntax.RLELossless, c.Syntax);
        var decoded = new byte[c.Format.DecodedFrameBytes];
        _codec.Decode(c.Frame, c.Format, decoded);
        Assert.Equal(fixture.Original(source), decoded);
    }

    [Theory]
    [InlineData("gray8")]
    [InlineData("gray12")]
    [InlineData("signed16")]
    [InlineData("rgb8")]
    [InlineData("rgb8planar")]
    [InlineData("gray32")]
    public void Encoded_frames_decode_identically_in_DCMTK(string source)
    {
        var original = fixture.Original(source);
        // The format of the uncompressed source, read by pydicom through a DCMTK RLE copy's pixel module.
        var format = fixture.Compress(source, "dcmcrle").Format;
        var encoded = _codec.Encode(original, format);

        var dir = fixture.Directory;
        var framePath = Path.Combine(dir, source + ".ours.rle");
        var wrapped = Path.Combine(dir, source + ".ours.rle.dcm");
        File.WriteAllBytes(framePath, encoded);
        CodecTestTools.RunChecked(CodecTestTools.Python, Path.Combine(dir, "wrap.py"), Path.Combine(dir, source + ".dcm"), framePath, wrapped);
        var viaDcmtk = fixture.DecompressWith(wrapped, "dcmdrle");
        Assert.Equal(original, viaDcmtk);

        var roundTrip = new byte[format.DecodedFrameBytes];
        _codec.Decode(encoded, format, roundTrip);
        Assert.Equal(original, roundTrip);
    }

    [Fact]
    public void Corrupt_streams_throw_DicomCodecException()
    {
        var c = fixture.Compress("rgb8", "dcmcrle");
        var buffer = new byte[c.Format.DecodedFrameBytes];
        foreach (var length in new[] { 0, 10, 63, 64, 65, c.Frame.Length / 2, c.Frame.Length - 3 })
        {
            Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame.AsSpan(0, length), c.Format, buffer));
        }
        var badCount = (byte[])c.Frame.Clone();
        badCount[0] = 7;
        Assert.Throws<DicomCodecException>(() => _codec.Decode(badCount, c.Format, buffer));
        var badOffset = (byte[])c.Frame.Clone();
        badOffset[8] = 0xFF;
        badOffset[9] = 0xFF;
        badOffset[10] = 0xFF;
        Assert.Throws<DicomCodecException>(() => _codec.Decode(badOffset, c.Format, buffer));
        var wrongFormat = c.Format with { SamplesPerPixel = 1, PhotometricInterpretation = "MONOCHROME2" };
        Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, wrongFormat, buffer));
    }

    [Fact]
    public void Random_garbage_never_escapes_as_another_exception()
    {
        var format = new PixelFormat(16, 16, 1, 16, 16, 15, 0, 0, "MONOCHROME2", 1);
        var buffer = new byte[format.DecodedFrameBytes];
        var rng = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var data = new byte[rng.Next(0, 400)];
            rng.NextBytes(data);
            if (data.Length >= 12)
            {
                data[0] = 2; data[1] = data[2] = data[3] = 0;
                data[4] = 64; data[5] = data[6] = data[7] = 0;
            }
            try
            {
                _codec.Decode(data, format, buffer);
            }
            catch (DicomCodecException)
            {
            }
        }
    }

    [Fact]
    public void SelfTest_passes() => _codec.SelfTest();
}
