using RemoteDx.Testing;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Phantoms.Tests;

public sealed class PhantomDicomTests
{
    [Fact]
    public void Every_generated_file_is_valid_dicom_for_RemoteDx_and_for_dcmdump()
    {
        var specs = PhantomTestSupport.Variety(seed: 5);
        var dir = PhantomTestSupport.WriteAll(specs);
        foreach (var spec in specs)
        {
            var path = Path.Combine(dir, spec.FileName!);
            var file = DicomReader.ReadFile(path);
            var ds = file.Dataset;
            Assert.Equal(PhantomGenerator.SyntaxOf(spec.Encoding!.Value).Uid, file.TransferSyntax.Uid);
            Assert.Equal(12, ds.GetInt(Tag.BitsStored));
            Assert.Equal(16, ds.GetInt(Tag.BitsAllocated));
            Assert.Equal(spec.Size, ds.GetInt(Tag.Rows));
            Assert.Equal(spec.Modality, ds.GetString(Tag.Modality));
            Assert.Equal(spec.BodyPart == PhantomBodyPart.Hand ? "HAND" : "CHEST", ds.GetString(Tag.BodyPartExamined));
            Assert.Contains(ds.GetString(Tag.PhotometricInterpretation), new[] { "MONOCHROME1", "MONOCHROME2" });
            Assert.NotNull(ds.GetString(Tag.ViewPosition));
            Assert.Equal(2, ds.GetDoubles(Tag.PixelSpacing).Length);
            Assert.NotNull(ds.GetDouble(Tag.WindowCenter));
            Assert.False(string.IsNullOrEmpty(ds.GetString(new Tag(0x0008, 0x0080))), "Institution Name is empty");
            var sopClass = spec.Modality == "DX" ? "1.2.840.10008.5.1.4.1.1.1.1" : "1.2.840.10008.5.1.4.1.1.1";
            Assert.Equal(sopClass, ds.GetString(Tag.SOPClassUID));
            Assert.Equal(spec.Size * spec.Size * 2, PixelDataDecoder.DecodeFrame(file, 0).Length);

            var (code, stdout, stderr) = Tool.Run("dcmdump", "-dc", path);
            Assert.True(code == 0, $"dcmdump {spec.FileName} exited {code}: {stderr}");
            Assert.True(stderr.Trim().Length == 0, $"dcmdump {spec.FileName} complained: {stderr}");
            Assert.Contains("(0028,0101) US 12", stdout);
        }
    }

    [Fact]
    public void Compressed_files_decode_to_the_pixels_of_uncompressed_generation_in_RemoteDx_and_DCMTK()
    {
        var specs = PhantomTestSupport.Variety(seed: 6).Where(s => s.Encoding != PixelEncoding.Native).ToList();
        var dir = PhantomTestSupport.WriteAll(specs);
        foreach (var spec in specs)
        {
            var expected = Bytes(PhantomGenerator.Generate(spec with { Encoding = PixelEncoding.Native }).Pixels);
            var path = Path.Combine(dir, spec.FileName!);
            Assert.Equal(expected, PixelDataDecoder.DecodeFrame(DicomReader.ReadFile(path), 0));

            // A second implementation: DCMTK decompresses the file, we read its native pixel data.
            var tool = spec.Encoding == PixelEncoding.Rle ? "dcmdrle" : "dcmdjpeg";
            var plain = Path.Combine(dir, "plain-" + spec.FileName);
            Tool.RunOk(tool, path, plain);
            var decoded = DicomReader.ReadFile(plain);
            Assert.False(decoded.TransferSyntax.IsEncapsulated, $"{tool} left {spec.FileName} encapsulated");
            Assert.Equal(expected, PixelDataDecoder.DecodeFrame(decoded, 0));
        }
    }

    private static byte[] Bytes(ushort[] pixels)
    {
        var b = new byte[pixels.Length * 2];
        Buffer.BlockCopy(pixels, 0, b, 0, b.Length);
        return b;
    }
}
