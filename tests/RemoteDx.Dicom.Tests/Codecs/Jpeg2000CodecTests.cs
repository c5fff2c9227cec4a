using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

[Collection(CodecCollection.Name)]
public sealed class Jpeg2000CodecTests(CodecReferenceFixture fixture)
{
    private readonly Jpeg2000Codec _codec = new();

    private byte[] Decode(CodecCase c)
    {
        var decoded = new byte[c.Format.DecodedFrameBytes];
        _codec.Decode(c.Frame, c.Format, decoded);
        return decoded;
    }

    [Theory]
    [InlineData("gray8")]
    [InlineData("gray12")]
    [InlineData("gray16")]
    [InlineData("signed16")]
    [InlineData("signed12")]
    [InlineData("rgb8")]
    [InlineData("rgb8planar")]
    public void Lossless_GDCM_frames_decode_to_the_original(string source)
    {
        var c = fixture.Compress(source, "gdcmconv", "--j2k");
        Assert.Equal(TransferSyntax.JPEG2000Lossless, c.Syntax);
        Assert.Equal(fixture.Original(source), Decode(c));
    }

    /// <summary>Lossy frames: compared with GDCM's own decompression (gdcmconv --raw) read by pydicom.</summary>
    [Theory]
    [InlineData("gray8")]
    [InlineData("gray12")]
    [InlineData("signed16")]
    [InlineData("rgb8")]
    public void Lossy_GDCM_frames_match_gdcmconv_raw(string source)
    {
        var c = fixture.Compress(source, "gdcmconv", "--j2k", "--lossy", "-q", "30");
        Assert.Equal(TransferSyntax.JPEG2000, c.Syntax);
        var ours = Decode(c);
        Assert.Equal(fixture.DecompressWith(c.CompressedPath, "gdcmconv", "--raw"), ours);
    }

    [Fact]
    public void Corrupt_streams_throw_DicomCodecException()
    {
        var c = fixture.Compress("gray12", "gdcmconv", "--j2k");
        var buffer = new byte[c.Format.DecodedFrameBytes];
        foreach (var length in new[] { 0, 4, 11, 12, 40, c.Frame.Length / 3, c.Frame.Length / 2 })
        {
            try
            {
                _codec.Decode(c.Frame.AsSpan(0, length), c.Format, buffer);
            }
            catch (DicomCodecException)
            {
                // OpenJPEG, like other JPEG 2000 decoders, may return a truncated codestream's lower layers
                // without error; any other exception would be a bug.
            }
        }
        Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame.AsSpan(0, 40), c.Format, buffer));
        Assert.Throws<DicomCodecException>(() => _codec.Decode(new byte[100], c.Format, buffer));
        Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, c.Format with { Rows = 10 }, buffer));
        Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, c.Format with { BitsAllocated = 8, BitsStored = 8, HighBit = 7 }, buffer));
        var rng = new Random(5);
        for (var i = 0; i < 300; i++)
        {
            var damaged = (byte[])c.Frame.Clone();
            for (var k = 0; k < 4; k++)
            {
                damaged[rng.Next(4, damaged.Length)] = (byte)rng.Next(256);
            }
            try
            {
                _codec.Decode(damaged, c.Format, buffer);
            }
            catch (DicomCodecException)
            {
            }
        }
    }

    [Fact]
    public void SelfTest_passes() => _codec.SelfTest();
}
