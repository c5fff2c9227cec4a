using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

[Collection(CodecCollection.Name)]
public sealed class JpegLsCodecTests(CodecReferenceFixture fixture)
{
    private readonly JpegLsCodec _codec = new();

    private byte[] Decode(CodecCase c)
    {
        var decoded = new byte[c.Format.DecodedFrameBytes];
        _codec.Decode(c.Frame, c.Format, decoded);
        return decoded;
    }

    [Theory]
    [InlineData("gray8", "dcmcjpls")]
    [InlineData("gray12", "dcmcjpls")]
    [InlineData("gray16", "dcmcjpls")]
    [InlineData("signed16", "dcmcjpls")]
    [InlineData("signed12", "dcmcjpls")]
    [InlineData("rgb8", "dcmcjpls")]              // DCMTK default: line interleaved
    [InlineData("rgb8", "dcmcjpls", "+is")]       // sample interleaved
    [InlineData("rgb8", "dcmcjpls", "+in")]       // not interleaved: planes
    [InlineData("rgb8planar", "dcmcjpls")]
    [InlineData("gray8", "gdcmconv", "--jpegls")]
    [InlineData("gray12", "gdcmconv", "--jpegls")]
    [InlineData("signed16", "gdcmconv", "--jpegls")]
    [InlineData("rgb8", "gdcmconv", "--jpegls")]
    public void Lossless_frames_decode_to_the_original(string source, string tool, params string[] options)
    {
        var c = fixture.Compress(source, tool, options);
        Assert.Equal(TransferSyntax.JPEGLSLossless, c.Syntax);
        Assert.Equal(fixture.Original(source), Decode(c));
    }

    [Theory]
    [InlineData("gray8")]
    [InlineData("gray12")]
    [InlineData("rgb8")]
    [InlineData("rgb8", "+in")]
    public void Near_lossless_frames_match_dcmdjpls(string source, params string[] options)
    {
        var c = fixture.Compress(source, "dcmcjpls", ["+en", .. options]);
        Assert.Equal(TransferSyntax.JPEGLSNearLossless, c.Syntax);
        var ours = Decode(c);
        Assert.Equal(fixture.DecompressWith(c.CompressedPath, "dcmdjpls"), ours);
        Assert.True(CodecTestTools.MaxDifference(fixture.Original(source), ours, c.Format) <= 2, "NEAR=2 bound exceeded");
    }

    [Fact]
    public void Corrupt_streams_throw_DicomCodecException()
    {
        var c = fixture.Compress("gray12", "dcmcjpls");
        var buffer = new byte[c.Format.DecodedFrameBytes];
        foreach (var length in new[] { 0, 1, 2, 10, 25, c.Frame.Length / 2, c.Frame.Length - 10 })
        {
            Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame.AsSpan(0, length), c.Format, buffer));
        }
        Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, c.Format with { Columns = c.Format.Columns - 1 }, buffer));
        Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, c.Format with { SamplesPerPixel = 3 }, new byte[c.Format.DecodedFrameBytes * 3]));
        var rng = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var damaged = (byte[])c.Frame.Clone();
            for (var k = 0; k < 4; k++)
            {
                damaged[rng.Next(2, damaged.Length)] = (byte)rng.Next(256);
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
