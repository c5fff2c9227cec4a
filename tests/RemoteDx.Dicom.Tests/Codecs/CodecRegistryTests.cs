using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

public sealed class CodecRegistryTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2.5", typeof(RleLosslessCodec))]
    [InlineData("1.2.840.10008.1.2.4.50", typeof(JpegCodec))]
    [InlineData("1.2.840.10008.1.2.4.51", typeof(JpegCodec))]
    [InlineData("1.2.840.10008.1.2.4.57", typeof(JpegCodec))]
    [InlineData("1.2.840.10008.1.2.4.70", typeof(JpegCodec))]
    [InlineData("1.2.840.10008.1.2.4.80", typeof(JpegLsCodec))]
    [InlineData("1.2.840.10008.1.2.4.81", typeof(JpegLsCodec))]
    [InlineData("1.2.840.10008.1.2.4.90", typeof(Jpeg2000Codec))]
    [InlineData("1.2.840.10008.1.2.4.91", typeof(Jpeg2000Codec))]
    [InlineData("1.2.840.10008.1.2.4.201", typeof(Jpeg2000Codec))]
    public void Finds_the_codec_for_each_encapsulated_syntax(string uid, Type expected)
    {
        var codec = CodecRegistry.ForTransferSyntax(TransferSyntax.Lookup(uid));
        Assert.NotNull(codec);
        Assert.IsType(expected, codec);
    }

    [Fact]
    public void Native_and_unknown_syntaxes_have_no_codec()
    {
        Assert.Null(CodecRegistry.ForTransferSyntax(TransferSyntax.ExplicitVRLittleEndian));
        Assert.Null(CodecRegistry.ForTransferSyntax(TransferSyntax.Lookup("1.2.3.4")));
    }

    [Fact]
    public void Every_codec_passes_its_self_test_here()
    {
        var statuses = CodecRegistry.SelfTest();
        Assert.Same(statuses, CodecRegistry.SelfTest());
        foreach (var s in statuses)
        {
            // The error names the library's Debian package (CodecSupport.MissingLibrary); test.sh installs it.
            Assert.True(s.Available, $"{s.Syntax}: {s.Error}");
            Assert.Null(s.Error);
        }
        Assert.Contains(statuses, s => s.Syntax == TransferSyntax.JPEGLSLossless && s.Codec == "JPEG-LS");
    }

    [Fact]
    public void Decodable_syntaxes_include_native_and_working_codecs()
    {
        var uids = CodecRegistry.DecodableTransferSyntaxUids;
        foreach (var ts in new[] { TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian,
            TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian, TransferSyntax.RLELossless,
            TransferSyntax.JPEGLossless, TransferSyntax.JPEGLSNearLossless, TransferSyntax.JPEG2000 })
        {
            Assert.Contains(ts.Uid, uids);
        }
    }
}
