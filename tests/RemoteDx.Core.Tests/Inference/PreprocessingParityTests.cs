using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>The engine's preprocessing against tools/train/preprocess_ref.py (numpy, pixels read by pydicom) on the
/// same files: equal to 1e-5.</summary>
public sealed class PreprocessingParityTests
{
    public static TheoryData<string, TestImages.Spec, string, string, string> Cases => new()
    {
        { "12-bit unsigned, rescale, percentile, letterbox area (shrink)", new TestImages.Spec(Slope: 2, Intercept: -100), "percentile", "letterbox", "area" },
        { "signed MONOCHROME1, min/max, stretch bilinear", new TestImages.Spec(Rows: 257, Columns: 311, Signed: true, BitsStored: 16, Photometric: "MONOCHROME1", Seed: 2), "minmax", "stretch", "bilinear" },
        { "8-bit, upscale, area letterbox", new TestImages.Spec(Rows: 30, Columns: 41, BitsAllocated: 8, BitsStored: 8, Seed: 3), "percentile", "letterbox", "area" },
        { "file window, MONOCHROME1, negative slope", new TestImages.Spec(Rows: 120, Columns: 90, Slope: -1.5, Intercept: 4000, WindowCenter: 2500, WindowWidth: 1800, Photometric: "MONOCHROME1", Seed: 4), "window", "letterbox", "bilinear" },
        { "negative slope percentile", new TestImages.Spec(Rows: 64, Columns: 200, Slope: -0.5, Intercept: 10, Seed: 5), "percentile", "letterbox", "area" },
        { "window mode without a window falls back to percentile", new TestImages.Spec(Rows: 99, Columns: 77, Seed: 6), "window", "stretch", "area" },
        { "signed, 12 bits stored (sign extension fused with the histogram)", new TestImages.Spec(Rows: 150, Columns: 131, Signed: true, Seed: 8), "percentile", "letterbox", "area" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Preprocessing_matches_the_numpy_reference(string what, TestImages.Spec spec, string intensity, string resize, string interpolation)
    {
        var dir = TempDirectory.ForTestRun();
        var file = TestImages.Save(spec, dir, "image.dcm");
        AssertParity(what, file, Manifest(intensity, resize, interpolation), dir);
    }

    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("MR_small.dcm")]
    [InlineData("rtdose_1frame.dcm")]
    [InlineData("liver_1frame.dcm")]
    public void Preprocessing_matches_the_numpy_reference_on_pydicom_files(string name)
    {
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(Tool.PydicomTestFiles, name);
        AssertParity(name, path, Manifest("percentile", "letterbox", "area"), dir);
        AssertParity(name + " bilinear stretch", path, Manifest("minmax", "stretch", "bilinear"), dir);
    }

    [Fact]
    public void The_manifest_window_overrides_the_file_window()
    {
        var dir = TempDirectory.ForTestRun();
        var file = TestImages.Save(new TestImages.Spec(WindowCenter: 100, WindowWidth: 50, Seed: 7), dir, "w.dcm");
        var manifest = Manifest("window", "letterbox", "area");
        manifest["preprocessing"]!["intensity"]!["center"] = 2000;
        manifest["preprocessing"]!["intensity"]!["width"] = 3000;
        var ours = AssertParity("override", file, manifest, dir);
        // With the file's narrow window nearly everything would clip to 1 (before normalisation: (1-0.5)/0.25 = 2).
        Assert.True(ours.Count(v => Math.Abs(v - 2) < 1e-6) < ours.Length / 2);
    }

    internal static JsonObject Manifest(string intensity, string resize, string interpolation) => new()
    {
        ["name"] = "parity",
        ["version"] = "1",
        ["sha256"] = new string('0', 64),
        ["input"] = new JsonObject { ["name"] = "image", ["dtype"] = "float32", ["channels"] = 3, ["height"] = 40, ["width"] = 56 },
        ["outputs"] = new JsonObject { ["scores"] = "logits", ["activation"] = "sigmoid" },
        ["preprocessing"] = new JsonObject
        {
            ["intensity"] = new JsonObject { ["mode"] = intensity, ["low"] = 2.5, ["high"] = 97.5 },
            ["invertMonochrome1"] = true,
            ["resize"] = new JsonObject { ["mode"] = resize, ["interpolation"] = interpolation },
            ["normalize"] = new JsonObject { ["mean"] = 0.5, ["std"] = 0.25 },
        },
        ["labels"] = new JsonArray(new JsonObject { ["name"] = "x", ["threshold"] = 0.5, ["urgency"] = 1 }),
    };

    private static float[] AssertParity(string what, string dicomPath, JsonObject manifestJson, string dir)
    {
        var manifestPath = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(manifestPath, manifestJson.ToJsonString());
        var manifest = ModelManifest.Parse(manifestJson.ToJsonString(), what);
        var pre = new ImagePreprocessor(manifest);
        var ours = new float[pre.InputLength];
        var file = DicomFile.Open(dicomPath);
        var (center, width) = ModalityImage.FileWindow(file.Dataset);
        using (var image = ModalityImage.FromFile(file, countHistogram: pre.NeedsHistogram(center, width)))
        {
            pre.Prepare(image, ours);
        }
        // The histogram counted while masking (as batch scoring asks for it) and the one built on first use agree.
        var other = new float[pre.InputLength];
        using (var image = ModalityImage.FromFile(DicomFile.Open(dicomPath), countHistogram: !pre.NeedsHistogram(center, width)))
        {
            pre.Prepare(image, other);
        }
        Assert.Equal(ours, other);
        var npy = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".npy");
        Tool.RunOk(Tool.Python,
            Repo.Path("tools/train/preprocess_ref.py"), manifestPath, dicomPath, npy);
        var (reference, shape) = Npy.Read(npy);
        Assert.Equal([3, 40, 56], shape);
        var worst = 0.0;
        var at = -1;
        for (var i = 0; i < reference.Length; i++)
        {
            var d = Math.Abs(reference[i] - ours[i]);
            if (d > worst)
            {
                worst = d;
                at = i;
            }
        }
        Assert.True(worst <= 1e-5, $"{what}: largest difference {worst:G4} at {at} (ours {(at >= 0 ? ours[at] : 0)}, numpy {(at >= 0 ? reference[at] : 0)})");
        // Not a constant image: the comparison would prove nothing.
        Assert.True(ours.Max() - ours.Min() > 0.5, $"{what}: the prepared image is flat");
        return ours;
    }
}
