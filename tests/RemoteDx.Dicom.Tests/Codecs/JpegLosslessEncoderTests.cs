using RemoteDx.Testing;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Dicom.Tests.Codecs;

/// <summary>The JPEG Lossless SV1 encoder (RemoteDx.Dicom/Codecs/JpegLosslessEncoder.cs) on synthetic frames, checked
/// against our decoder and DCMTK's dcmdjpeg.</summary>
public sealed class JpegLosslessEncoderTests
{
    public static TheoryData<int, int, int, int, string> Images => new()
    {
        { 37, 53, 16, 16, "noise" },    // every difference category, 32768 included
        { 64, 48, 16, 12, "gradient" },
        { 31, 17, 8, 8, "noise" },
        { 16, 16, 16, 12, "constant" }, // a single Huffman code
        { 1, 1, 16, 16, "noise" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Encoded_frames_decode_to_the_same_samples_with_our_decoder(int rows, int cols, int allocated, int stored, string kind)
    {
        var (format, frame) = Make(rows, cols, allocated, stored, kind, 1);
        var encoded = JpegLosslessEncoder.Encode(frame, format);
        Assert.True(encoded.Length % 2 == 0, "a fragment must have even length");
        var decoded = new byte[frame.Length];
        new JpegCodec().Decode(encoded, format, decoded);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void Three_component_frames_round_trip()
    {
        var (format, frame) = Make(20, 30, 8, 8, "noise", 3);
        var decoded = new byte[frame.Length];
        new JpegCodec().Decode(JpegLosslessEncoder.Encode(frame, format), format, decoded);
        Assert.Equal(frame, decoded);
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(16, 12)]
    [InlineData(8, 8)]
    public void Dcmdjpeg_decodes_our_stream_to_the_same_samples(int allocated, int stored)
    {
        var (format, frame) = Make(41, 67, allocated, stored, "noise", 1);
        var ds = new Dataset();
        ds.SetString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.SetString(Tag.SOPInstanceUID, VR.UI, "2.25.1234567");
        ds.SetUInt16(Tag.SamplesPerPixel, 1);
        ds.SetString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.SetUInt16(Tag.Rows, (ushort)format.Rows);
        ds.SetUInt16(Tag.Columns, (ushort)format.Columns);
        ds.SetUInt16(Tag.BitsAllocated, (ushort)allocated);
        ds.SetUInt16(Tag.BitsStored, (ushort)stored);
        ds.SetUInt16(Tag.HighBit, (ushort)(stored - 1));
        ds.SetUInt16(Tag.PixelRepresentation, 0);
        ds.Set(new DicomFragments(Tag.PixelData, VR.OB, ReadOnlyMemory<byte>.Empty, [JpegLosslessEncoder.Encode(frame, format)]));
        var file = new DicomFile(ds, TransferSyntax.JPEGLosslessSV1);
        file.BuildFileMetaInformation();
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(dir, "jpeg.dcm");
        file.Save(path);
        var plain = Path.Combine(dir, "plain.dcm");
        Tool.RunOk("dcmdjpeg", path, plain);
        Assert.Equal(frame, PixelDataDecoder.DecodeFrame(DicomReader.ReadFile(plain), 0));
    }

    private static (PixelFormat Format, byte[] Frame) Make(int rows, int cols, int allocated, int stored, string kind, int samples)
    {
        var format = new PixelFormat(rows, cols, samples, allocated, stored, stored - 1, 0, 0, samples == 3 ? "RGB" : "MONOCHROME2", 1);
        var bytes = allocated / 8;
        var frame = new byte[rows * cols * samples * bytes];
        var rng = new Random(rows * 1000 + cols);
        var max = (1 << stored) - 1;
        for (var i = 0; i < rows * cols * samples; i++)
        {
            var v = kind switch
            {
                "constant" => 1234 & max,
                "gradient" => (i % cols * 37 + i / cols * 11) & max,
                _ => i % 7 == 0 ? (i % 2 == 0 ? 0 : max) : rng.Next(0, max + 1),
            };
            frame[i * bytes] = (byte)v;
            if (bytes == 2)
            {
                frame[i * bytes + 1] = (byte)(v >> 8);
            }
        }
        return (format, frame);
    }
}
