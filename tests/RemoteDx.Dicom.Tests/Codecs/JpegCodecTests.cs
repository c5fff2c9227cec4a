using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

[Collection(CodecCollection.Name)]
public sealed class JpegCodecTests(CodecReferenceFixture fixture)
{
    private readonly JpegCodec _codec = new();

    private byte[] Decode(CodecCase c)
    {
        var decoded = new byte[c.Format.DecodedFrameBytes];
        _codec.Decode(c.Frame, c.Format, decoded);
        return decoded;
    }

    [Theory]
    [InlineData("gray8", "+e1")]
    [InlineData("gray12", "+e1")]
    [InlineData("gray16", "+e1")]
    [InlineData("signed16", "+e1")]
    [InlineData("signed12", "+e1")]
    [InlineData("rgb8", "+e1")]
    [InlineData("gray8", "+el")]
    [InlineData("gray12", "+el")]
    [InlineData("gray16", "+el")]
    [InlineData("signed12", "+el")]
    [InlineData("rgb8", "+el")]
    public void Lossless_DCMTK_frames_decode_to_the_original(string source, string option)
    {
        var c = fixture.Compress(source, "dcmcjpeg", option);
        Assert.Equal(option == "+e1" ? TransferSyntax.JPEGLosslessSV1 : TransferSyntax.JPEGLossless, c.Syntax);
        Assert.Equal(fixture.Original(source), Decode(c));
    }

    [Theory]
    [InlineData("gray8", "+el", "+sv", "1")]
    [InlineData("gray12", "+el", "+sv", "7")]
    [InlineData("gray16", "+el", "+sv", "2")]
    [InlineData("gray16", "+el", "+sv", "3")]
    [InlineData("gray16", "+el", "+sv", "4")]
    [InlineData("gray16", "+el", "+sv", "5")]
    [InlineData("gray16", "+el", "+sv", "7")]
    [InlineData("signed16", "+el", "+sv", "5")]
    [InlineData("rgb8", "+el", "+sv", "7")]
    [InlineData("rgb8planar", "+el", "+sv", "6")]
    public void Other_lossless_predictors_decode_to_the_original(string source, params string[] options)
    {
        var c = fixture.Compress(source, "dcmcjpeg", options);
        Assert.Equal(fixture.Original(source), Decode(c));
    }

    /// <summary>A point transform (H.1.2.3) loses the low bits; the result must equal DCMTK's decompression.</summary>
    [Fact]
    public void Point_transform_matches_dcmdjpeg()
    {
        var c = fixture.Compress("gray12", "dcmcjpeg", "+el", "+pt", "2");
        Assert.Equal(fixture.DecompressWith(c.CompressedPath, "dcmdjpeg"), Decode(c));
    }

    /// <summary>Lossy frames must equal DCMTK's own decompression bit for bit (dcmdjpeg +cn: IJG libjpeg 6b, islow
    /// IDCT, fancy upsampling, no colour conversion). The synthetic images are 53x37, so MCUs are partial at the right
    /// and bottom edges.</summary>
    [Theory]
    [InlineData("gray8", "+eb")]
    [InlineData("gray8", "+ee")]
    [InlineData("gray12", "+ee")]
    [InlineData("signed12", "+ee")]
    [InlineData("rgb8", "+eb", "+cr")]          // RGB, 1x1 sampling
    [InlineData("rgb8", "+eb")]                 // YBR_FULL_422: Y 2x1 (h2v1 fancy upsampling)
    [InlineData("rgb8", "+eb", "+s4")]          // YBR_FULL 4:4:4
    [InlineData("rgb8", "+eb", "+n2")]          // YBR_FULL 4:2:2
    [InlineData("rgb8", "+eb", "+n1")]          // YBR_FULL "4:1:1" (DCMTK: Y 2x2, h2v2 fancy upsampling)
    [InlineData("rgb8", "+eb", "+np")]
    [InlineData("rgb8", "+ee")]
    [InlineData("rgb8planar", "+eb")]
    public void Lossy_DCMTK_frames_equal_dcmdjpeg(string source, params string[] options)
    {
        var c = fixture.Compress(source, "dcmcjpeg", options);
        Assert.Equal(options[0] == "+eb" ? TransferSyntax.JPEGBaseline8Bit : TransferSyntax.JPEGExtended12Bit, c.Syntax);
        var ours = Decode(c);
        var reference = fixture.DecompressWith(c.CompressedPath, "dcmdjpeg", "+cn");
        Assert.Equal(reference.Length, ours.Length);
        var diff = CodecTestTools.MaxDifference(reference, ours, c.Format);
        Assert.True(diff == 0, $"max difference to dcmdjpeg is {diff}");
        // Lossy, but close to the original (DCMTK stores lossy signed images unsigned with a rescale: not compared).
        if (c.Format.PhotometricInterpretation is "MONOCHROME2" or "RGB" && !source.StartsWith("signed", StringComparison.Ordinal))
        {
            var bound = c.Format.BitsStored > 8 ? 512 : 64;
            Assert.True(CodecTestTools.MaxDifference(fixture.Original(source), ours, c.Format) < bound, "far from the original");
        }
    }

    /// <summary>Streams from libjpeg-turbo's cjpeg (Debian libjpeg-turbo-progs), wrapped into DICOM, cover what
    /// dcmcjpeg cannot make: restart intervals, other sampling factors, non-interleaved scans. Reference: dcmdjpeg +cn
    /// and, for grayscale, djpeg -dct int (libjpeg-turbo's islow is bit-identical to libjpeg 6b's).</summary>
    [Theory]
    [InlineData("gray8", "-restart", "1B")]
    [InlineData("gray8", "-restart", "1", "-optimize")]
    [InlineData("gray8", "-quality", "100")]
    [InlineData("gray8", "-quality", "5")]
    [InlineData("rgb8", "-rgb", "-restart", "1")]
    [InlineData("rgb8", "-sample", "2x1,1x1,1x1", "-restart", "3B")]
    [InlineData("rgb8", "-sample", "2x2,1x1,1x1", "-restart", "2B")]
    [InlineData("rgb8", "-sample", "1x2,1x1,1x1")]
    [InlineData("rgb8", "-sample", "4x1,1x1,1x1")]
    [InlineData("rgb8", "-sample", "4x2,1x1,1x1", "-restart", "1B")]
    [InlineData("rgb8", "-sample", "2x2,1x1,1x1", "-scans", "SCANS", "-restart", "1B")]
    [InlineData("rgb8", "-sample", "1x1,2x2,1x1", "-scans", "SCANS")]
    [InlineData("rgb8", "-sample", "2x2,1x1,1x1", "-quality", "100")]
    public void Lossy_cjpeg_frames_equal_dcmdjpeg(string source, params string[] options)
    {
        var c = fixture.CompressWithCjpeg(source, options);
        var ours = Decode(c);
        var reference = fixture.DecompressWith(c.CompressedPath, "dcmdjpeg", "+cn");
        Assert.Equal(reference.Length, ours.Length);
        var diff = CodecTestTools.MaxDifference(reference, ours, c.Format);
        Assert.True(diff == 0, $"max difference to dcmdjpeg is {diff}");
        if (source == "gray8")
        {
            Assert.Equal(fixture.DjpegGray(c), ours);
        }
    }

    [Fact]
    public void Corrupt_streams_throw_DicomCodecException()
    {
        foreach (var c in new[]
        {
            fixture.Compress("gray12", "dcmcjpeg", "+e1"), fixture.Compress("rgb8", "dcmcjpeg", "+eb"),
            fixture.Compress("gray12", "dcmcjpeg", "+ee"), fixture.CompressWithCjpeg("rgb8", "-sample", "2x2,1x1,1x1", "-restart", "2B"),
        })
        {
            var buffer = new byte[c.Format.DecodedFrameBytes];
            foreach (var length in new[] { 0, 2, 20, c.Frame.Length / 3, c.Frame.Length / 2, c.Frame.Length - 40 })
            {
                try
                {
                    _codec.Decode(c.Frame.AsSpan(0, length), c.Format, buffer);
                }
                catch (DicomCodecException)
                {
                    // A truncated scan may also decode to a partial image without error, as libjpeg does; what
                    // must never happen is any other exception type.
                }
            }
            Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame.AsSpan(0, 20), c.Format, buffer));
            Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, c.Format with { Rows = c.Format.Rows + 1 }, new byte[(c.Format with { Rows = c.Format.Rows + 1 }).DecodedFrameBytes]));
            if (c.Format.BitsAllocated == 16)
            {
                Assert.Throws<DicomCodecException>(() => _codec.Decode(c.Frame, c.Format with { BitsAllocated = 8, BitsStored = 8, HighBit = 7 }, buffer));
            }
            var rng = new Random(7);
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
    }

    [Fact]
    public void SelfTest_passes() => _codec.SelfTest();
}
