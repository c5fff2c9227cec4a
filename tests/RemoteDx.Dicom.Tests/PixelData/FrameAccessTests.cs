using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.IO;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.PixelData;

/// <summary>One frame of a multi-frame instance is read and decoded without the rest of Pixel Data: native frames by
/// offset, encapsulated ones through the Extended or Basic Offset Table, one fragment per frame, or a scan for
/// codestream starts. The reference is the frames pydicom (numpy) wrote, which the encoders kept losslessly.</summary>
public sealed class FrameAccessTests
{
    private const int Frames = 7;
    private const int Rows = 24;
    private const int Columns = 20;
    private const int FrameBytes = Rows * Columns * 2;
    private static readonly int[] Picked = [0, 3, Frames - 1];

    private static readonly Lazy<string> Dir = new(() =>
    {
        var dir = TempDirectory.ForTestRun("frames");
        Tool.PythonOk(MakeFilesScript, dir);
        WriteJpeg(dir, withTable: true, "jpeg_bot_two_fragments.dcm");
        WriteJpeg(dir, withTable: false, "jpeg_no_table_two_fragments.dcm");
        return dir;
    });

    private static string FilePath(string name) => Path.Combine(Dir.Value, name);

    private static byte[] Expected(int frame) =>
        File.ReadAllBytes(FilePath("frames.raw")).AsSpan(frame * FrameBytes, FrameBytes).ToArray();

    [Theory]
    [InlineData("native.dcm")]
    [InlineData("rle_bot.dcm")]
    [InlineData("rle_no_table.dcm")]
    [InlineData("rle_eot.dcm")]
    [InlineData("jpeg_bot_two_fragments.dcm")]
    [InlineData("jpeg_no_table_two_fragments.dcm")]
    public void A_frame_decodes_to_the_reference_without_loading_the_rest_of_pixel_data(string name)
    {
        var lazy = DicomReader.ReadFile(FilePath(name), new DicomReadOptions { LazyPixelData = true });
        var eager = DicomReader.ReadFile(FilePath(name));
        Assert.Equal(Frames, PixelDataDecoder.CountFrames(lazy).Available);
        foreach (var k in Picked)
        {
            var frame = PixelDataDecoder.DecodeFrame(lazy, k);
            Assert.True(Expected(k).AsSpan().SequenceEqual(frame), $"{name}: frame {k} differs from the reference");
            Assert.Equal(PixelDataDecoder.DecodeFrame(eager, k), frame);
            // Into a caller's (larger, dirty) buffer: the same bytes, and nothing written past the frame.
            var buffer = new byte[FrameBytes + 16];
            buffer.AsSpan().Fill(0xA5);
            PixelDataDecoder.DecodeFrame(lazy.Dataset, lazy.TransferSyntax, k, buffer);
            Assert.True(buffer.AsSpan(0, FrameBytes).SequenceEqual(frame), $"{name}: frame {k} decoded into a buffer differs");
            Assert.All(buffer[FrameBytes..], b => Assert.Equal(0xA5, b));
        }
        var pixel = lazy.Dataset[Tag.PixelData]!;
        if (pixel is DicomFragments fragments)
        {
            Assert.False(fragments.FragmentsLoaded, $"{name}: every fragment was loaded for one frame");
        }
        else
        {
            Assert.False(pixel.IsLoaded, $"{name}: the whole Pixel Data value was loaded for one frame");
        }
    }

    [Fact]
    public void A_native_frame_read_touches_only_that_frames_bytes()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir, "native.dcm");
        File.Copy(FilePath("native.dcm"), path);
        // A value longer than one frame cannot be loaded at all under this limit: success means one frame was read.
        var options = new DicomReadOptions { LazyPixelData = true, MaxValueLength = FrameBytes };
        var file = DicomReader.ReadFile(path, options);
        var pixel = file.Dataset[Tag.PixelData]!;
        Assert.True(pixel.Length > FrameBytes);
        const int k = 4;
        OverwriteOutside(path, pixel.Length, k);

        Assert.Equal(Expected(k), PixelDataDecoder.DecodeFrame(file, k));
        Assert.False(pixel.IsLoaded);
        Assert.Throws<DicomLimitException>(() => pixel.Buffer);
    }

    [Fact]
    public void An_encapsulated_frame_read_touches_only_that_frames_fragments()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir, "jpeg.dcm");
        File.Copy(FilePath("jpeg_bot_two_fragments.dcm"), path);
        var file = DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = true });
        var fragments = (DicomFragments)file.Dataset[Tag.PixelData]!;
        const int k = 5;
        var (from, to) = FrameFragments.FragmentRange(file.Dataset, fragments, Frames, k);
        Assert.Equal((2 * k, 2 * k + 2), (from, to));

        // Every other fragment becomes bytes no JPEG decoder accepts.
        var eager = DicomReader.ReadFile(path);
        var all = ((DicomFragments)eager.Dataset[Tag.PixelData]!).Fragments;
        for (var i = 0; i < all.Count; i++)
        {
            if (i < from || i >= to)
            {
                var bad = new byte[all[i].Length];
                Array.Fill(bad, (byte)0xFF);
                all[i] = bad;
            }
        }
        eager.Save(path);
        Assert.ThrowsAny<DicomException>(() => PixelDataDecoder.DecodeFrame(DicomReader.ReadFile(path), 0));

        var reread = DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = true });
        Assert.Equal(Expected(k), PixelDataDecoder.DecodeFrame(reread, k));
        Assert.False(((DicomFragments)reread.Dataset[Tag.PixelData]!).FragmentsLoaded);
    }

    /// <summary>Fills the Pixel Data value, except frame <paramref name="keep"/>, with 0xFF: the value ends the file.</summary>
    private static void OverwriteOutside(string path, long valueLength, int keep)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var valueStart = fs.Length - valueLength;
        var ff = new byte[FrameBytes];
        Array.Fill(ff, (byte)0xFF);
        for (var f = 0; f < Frames; f++)
        {
            if (f != keep)
            {
                fs.Seek(valueStart + (long)f * FrameBytes, SeekOrigin.Begin);
                fs.Write(ff);
            }
        }
    }

    /// <summary>JPEG Lossless frames split in two fragments each (PS3.5 A.4 allows it), with a Basic Offset Table or
    /// without one, where frames are found by their SOI.</summary>
    private static void WriteJpeg(string dir, bool withTable, string name)
    {
        var source = DicomReader.ReadFile(Path.Combine(dir, "native.dcm"));
        var format = PixelFormat.FromDataset(source.Dataset);
        var fragments = new List<ReadOnlyMemory<byte>>();
        var table = new byte[withTable ? 4 * Frames : 0];
        uint offset = 0;
        for (var k = 0; k < Frames; k++)
        {
            if (withTable)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4 * k), offset);
            }
            var code = JpegLosslessEncoder.Encode(PixelDataDecoder.DecodeFrame(source, k), format);
            var half = code.Length / 4 * 2;
            fragments.Add(code.AsMemory(0, half));
            fragments.Add(code.AsMemory(half));
            offset += (uint)(8 + half + 8 + code.Length - half);
        }
        source.Dataset.Set(new DicomFragments(Tag.PixelData, VR.OB, table, fragments));
        source.TransferSyntax = TransferSyntax.JPEGLosslessSV1;
        source.FileMetaInformation.SetString(Tag.TransferSyntaxUID, VR.UI, TransferSyntax.JPEGLosslessSV1.Uid);
        source.Save(Path.Combine(dir, name));
    }

    private const string MakeFilesScript = """
import sys, os, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate, encapsulate_extended
from pydicom.encoders import RLELosslessEncoder
from pydicom.uid import ExplicitVRLittleEndian, RLELossless, generate_uid
out = sys.argv[1]
frames, rows, cols = 7, 24, 20
rng = np.random.default_rng(14)
arr = rng.integers(0, 4096, size=(frames, rows, cols), dtype=np.uint16)
arr[:, :, :5] = np.arange(frames, dtype=np.uint16)[:, None, None] * 100  # runs, so RLE has something to do
arr.astype('<u2').tofile(os.path.join(out, 'frames.raw'))

def base(syntax):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7.3'
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = 'OT'
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, cols, frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds

ds = base(ExplicitVRLittleEndian)
ds.PixelData = arr.tobytes()
ds.save_as(os.path.join(out, 'native.dcm'), write_like_original=False)

encoded = [RLELosslessEncoder.encode(arr[i], rows=rows, columns=cols, samples_per_pixel=1, bits_allocated=16, bits_stored=16,
           photometric_interpretation='MONOCHROME2', pixel_representation=0, number_of_frames=1) for i in range(frames)]
for name, data in [('rle_bot.dcm', encapsulate(encoded, 1, has_bot=True)),
                   ('rle_no_table.dcm', encapsulate(encoded, 1, has_bot=False))]:
    ds = base(RLELossless)
    ds.PixelData = data
    ds['PixelData'].is_undefined_length = True
    ds['PixelData'].VR = 'OB'
    ds.save_as(os.path.join(out, name), write_like_original=False)
ds = base(RLELossless)
data, eot, lengths = encapsulate_extended(encoded)
ds.PixelData = data
ds['PixelData'].is_undefined_length = True
ds['PixelData'].VR = 'OB'
ds.ExtendedOffsetTable = eot
ds.ExtendedOffsetTableLengths = lengths
ds.save_as(os.path.join(out, 'rle_eot.dcm'), write_like_original=False)
""";
}
