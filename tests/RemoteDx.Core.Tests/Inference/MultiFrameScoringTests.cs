using RemoteDx.Core.Inference;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Inference;

public sealed class MultiFrameScoringTests
{
    [Fact]
    public void A_multi_frame_instance_is_scored_on_its_first_frame_read_alone()
    {
        using var dir = new TempDirectory();
        var single = TestImages.Create(new TestImages.Spec(Rows: 64, Columns: 48));
        var frame0 = single.Dataset[Tag.PixelData]!.Buffer.ToArray();

        // Frames 1..3 are saturated: if any of them were scored, the statistics would move.
        var multi = TestImages.Create(new TestImages.Spec(Rows: 64, Columns: 48));
        var pixels = new byte[frame0.Length * 4];
        frame0.CopyTo(pixels, 0);
        for (var i = frame0.Length; i < pixels.Length; i += 2)
        {
            pixels[i] = 0xFF;
            pixels[i + 1] = 0x0F;
        }
        multi.Dataset.SetString(Tag.NumberOfFrames, "4");
        multi.Dataset.SetBytes(Tag.PixelData, VR.OW, pixels);
        var path = Path.Combine(dir, "multi.dcm");
        multi.Save(path);

        var lazy = DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = true });
        using var expected = ModalityImage.FromFile(single);
        using var scored = ModalityImage.FromFile(lazy);
        Assert.Equal(0, ModalityImage.ScoredFrame);
        Assert.Equal(expected.Min(), scored.Min());
        Assert.Equal(expected.Max(), scored.Max());
        Assert.Equal(expected.Percentile(50), scored.Percentile(50));
        Assert.False(lazy.Dataset[Tag.PixelData]!.IsLoaded, "the whole Pixel Data was loaded to score one frame");
    }
}
