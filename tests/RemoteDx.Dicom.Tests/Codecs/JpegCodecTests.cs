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

    /// <summary>Lossy frames: compared with DCMTK's own decompression (dcmdjpeg, libjpeg's integer IDCT, colour
    /// conversion off). JpegLibrary's IDCT differs in rounding, so a small tolerance is allowed; the result must
    /// also stay close to the original.</summary>
    [Theory]
    [InlineData("gray8", 2, "+eb")]
    [InlineData("rgb8", 2, "+eb", "+s4")]
    [InlineData("rgb8", 2, "+eb", "+cr")]
    [InlineData("gray8", 2, "+ee")]
    [InlineData("gray12", 2, "+ee")]
    public void Lossy_DCMTK_frames_match_dcmdjpeg(string source, int tolerance, params string[] options)
    {
        var c = fixture.Compress(source, "dcmcjpeg", options);
        Assert.Equal(options[0] == "+eb" ? TransferSyntax.JPEGBaseline8Bit : TransferSyntax.JPEGExtended12Bit, c.Syntax);
        var ours = Decode(c);
        var reference = fixture.DecompressWith(c.CompressedPath, "dcmdjpeg", "+cn");
        var diff = CodecTestTools.MaxDifference(reference, ours, c.Format);
        Assert.True(diff <= tolerance, $"max difference to dcmdjpeg is {diff}");
    }

    [Fact]
    public void YBR_full_422_keeps_its_colour_space()
    {
        var c = fixture.Compress("rgb8", "dcmcjpeg", "+eb");
        Assert.Equal("YBR_FULL_422", c.Format.PhotometricInterpretation);
        var ours = Decode(c);
        // Reference: DCMTK converts to RGB (dcmdjpeg default); convert ours with PS3.3 C.7.6.3.1.2's YBR_FULL matrix
        // and allow for 4:2:2 upsampling differences (replication here, libjpeg's fancy upsampling there).
        var rgb = fixture.DecompressWith(c.CompressedPath, "dcmdjpeg");
        var converted = new byte[ours.Length];
        for (var i = 0; i < ours.Length; i += 3)
        {
            double y = ours[i], cb = ours[i + 1] - 128.0, cr = ours[i + 2] - 128.0;
            converted[i] = (byte)Math.Clamp(Math.Round(y + 1.402 * cr), 0, 255);
            converted[i + 1] = (byte)Math.Clamp(Math.Round(y - 0.344136 * cb - 0.714136 * cr), 0, 255);
            converted[i + 2] = (byte)Math.Clamp(Math.Round(y + 1.772 * cb), 0, 255);
        }
        var mean = converted.Zip(rgb, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(mean < 3, $"mean difference to DCMTK's RGB is {mean}");
        // Had we converted to RGB ourselves, the raw output would be far from YCbCr values: the red channel of the
        // source and ours' first component must differ noticeably.
        var asIfRgb = ours.Zip(rgb, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(asIfRgb > 10, "output looks like RGB: the decoder must not convert colour");
    }

    [Fact]
    public void Corrupt_streams_throw_DicomCodecException()
    {
        foreach (var c in new[] { fixture.Compress("gray12", "dcmcjpeg", "+e1"), fixture.Compress("rgb8", "dcmcjpeg", "+eb") })
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
