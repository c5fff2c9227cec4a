using RemoteDx.Testing;

namespace RemoteDx.Phantoms.Tests;

internal static class PhantomTestSupport
{
    public static string RepoRoot => Repo.Root;

    /// <summary>One small case of each storage form and photometric interpretation, CR and DX, PA and AP, plus a hand.</summary>
    public static IReadOnlyList<PhantomCaseSpec> Variety(long seed, int size = 256) =>
    [
        new() { Seed = seed, Index = 0, Size = size, Encoding = PixelEncoding.Native, Photometric = "MONOCHROME2", Modality = "DX", View = ProjectionView.PA, FileName = "native.dcm" },
        new() { Seed = seed, Index = 1, Size = size, Encoding = PixelEncoding.Rle, Photometric = "MONOCHROME1", Modality = "CR", View = ProjectionView.AP, FileName = "rle.dcm",
            Findings = PhantomFindings.None.With(Finding.Effusion, 2) },
        new() { Seed = seed, Index = 2, Size = size, Encoding = PixelEncoding.JpegLossless, Photometric = "MONOCHROME2", Modality = "CR", View = ProjectionView.PA, FileName = "jpeg.dcm",
            Findings = PhantomFindings.None.With(Finding.Nodule, 3).With(Finding.Pneumothorax, 2) },
        new() { Seed = seed, Index = 3, Size = size, Encoding = PixelEncoding.JpegLossless, Photometric = "MONOCHROME1", Modality = "DX", View = ProjectionView.AP, FileName = "jpeg-mono1.dcm",
            Findings = PhantomFindings.None.With(Finding.Cardiomegaly, 1) },
        new() { Seed = seed, Index = 4, Size = size, Encoding = PixelEncoding.Rle, Modality = "CR", BodyPart = PhantomBodyPart.Hand, FileName = "hand.dcm" },
    ];

    public static string WriteAll(IEnumerable<PhantomCaseSpec> specs)
    {
        var dir = TempDirectory.ForTestRun();
        foreach (var spec in specs)
        {
            var c = PhantomGenerator.Generate(spec);
            PhantomGenerator.Write(c, Path.Combine(dir, c.FileName));
        }
        return dir;
    }
}
