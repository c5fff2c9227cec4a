using RemoteDx.Testing;

namespace RemoteDx.Phantoms.Tests;

/// <summary>Every image the generator writes, and every shipped sample, passes dicom3tools' dciodvfy with no error
/// (DESIGN.md: everything RemoteDx writes passes dciodvfy), and with no warning either: the generator's output is
/// clean, so a new warning is a regression to look at.</summary>
public sealed class PhantomIodTests
{
    [Fact]
    public void Generated_DX_CR_and_hand_phantoms_pass_dciodvfy_with_no_errors_or_warnings()
    {
        var specs = PhantomTestSupport.Variety(seed: 11, size: 128).Concat(
        [
            new PhantomCaseSpec { Seed = 11, Index = 5, Size = 128, Encoding = PixelEncoding.Native, Photometric = "MONOCHROME1", Modality = "DX",
                View = ProjectionView.PA, FileName = "dx-mono1-native.dcm" },
            new PhantomCaseSpec { Seed = 11, Index = 6, Size = 128, Encoding = PixelEncoding.Native, Photometric = "MONOCHROME1", Modality = "CR",
                View = ProjectionView.PA, FileName = "cr-mono1-native.dcm" },
            new PhantomCaseSpec { Seed = 11, Index = 7, Size = 128, Encoding = PixelEncoding.JpegLossless, Photometric = "MONOCHROME2", Modality = "DX",
                BodyPart = PhantomBodyPart.Hand, FileName = "dx-hand.dcm" },
        ]).ToList();
        // Both modalities in both photometric interpretations, native and compressed, chest PA/AP and hand.
        foreach (var modality in new[] { "DX", "CR" })
        {
            foreach (var photometric in new[] { "MONOCHROME1", "MONOCHROME2" })
            {
                Assert.Contains(specs, s => s.Modality == modality && s.Photometric == photometric);
            }
            Assert.Contains(specs, s => s.Modality == modality && s.Encoding == PixelEncoding.Native);
            Assert.Contains(specs, s => s.Modality == modality && s.Encoding != PixelEncoding.Native);
            Assert.Contains(specs, s => s.Modality == modality && s.BodyPart == PhantomBodyPart.Hand);
        }
        var dir = PhantomTestSupport.WriteAll(specs);
        foreach (var spec in specs)
        {
            Dciodvfy.AssertValid(Path.Combine(dir, spec.FileName!), allowWarnings: false);
        }
    }

    [Fact]
    public void Every_shipped_sample_passes_dciodvfy_with_no_errors_or_warnings()
    {
        var files = Directory.EnumerateFiles(Path.Combine(PhantomTestSupport.RepoRoot, "sample-dicom"), "*.dcm", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            Dciodvfy.AssertValid(path, allowWarnings: false);
        }
    }
}
