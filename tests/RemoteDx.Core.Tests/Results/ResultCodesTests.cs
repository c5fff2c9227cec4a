using RemoteDx.Testing;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Results;
using RemoteDx.Core.Tests.Inference;

namespace RemoteDx.Core.Tests.Results;

public sealed class ResultCodesTests
{
    [Fact]
    public void The_shipped_manifest_codes_every_label_with_SNOMED_CT()
    {
        var manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(Repo.Root, "models", "cxr-triage", "manifest.json")), "manifest.json");
        var codes = manifest.Labels.ToDictionary(l => l.Name, ResultCodes.ForLabel);
        Assert.Equal(new CodedConcept("36118008", "SCT", "Pneumothorax"), codes["pneumothorax"]);
        Assert.Equal(new CodedConcept("60046008", "SCT", "Pleural effusion"), codes["effusion"]);
        Assert.Equal(new CodedConcept("95436008", "SCT", "Lung consolidation"), codes["consolidation"]);
        Assert.Equal(new CodedConcept("8186001", "SCT", "Cardiomegaly"), codes["cardiomegaly"]);
        Assert.Equal(new CodedConcept("786838002", "SCT", "Nodule of lung"), codes["nodule"]);
    }

    [Fact]
    public void A_label_without_a_code_falls_back_to_the_private_scheme()
    {
        Assert.Equal(new CodedConcept("atelectasis", "99RDX", "atelectasis"), ResultCodes.ForLabel(new ManifestLabel { Name = "atelectasis" }));
        var longName = new string('x', 70);
        var code = ResultCodes.ForLabel(longName);
        Assert.Equal(16, code.Value.Length);
        Assert.Equal(64, code.Meaning.Length);
    }

    [Theory]
    [InlineData("""{ "scheme": "", "value": "1", "meaning": "m" }""")]
    [InlineData("""{ "scheme": "SCT", "value": "12345678901234567", "meaning": "m" }""")]
    [InlineData("""{ "scheme": "SCT", "value": "1", "meaning": "a\\b" }""")]
    [InlineData("""{ "scheme": "SCT", "value": "1", "meaning": "m", "system": "x" }""")]
    public void A_manifest_label_code_that_DICOM_cannot_carry_is_refused(string code)
    {
        var json = File.ReadAllText(Path.Combine(Repo.Root, "models", "cxr-triage", "manifest.json"));
        var bad = System.Text.RegularExpressions.Regex.Replace(json, "\"code\":\\s*\\{[^}]*36118008[^}]*\\}", "\"code\": " + code);
        Assert.NotEqual(json, bad);
        var ex = Assert.Throws<ModelLoadException>(() => ModelManifest.Parse(bad, "manifest.json"));
        Assert.Contains("manifest.json", ex.Message);
    }

    [Fact]
    public void Findings_from_a_model_score_take_the_manifest_code_and_the_label_heatmap()
    {
        var manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(Repo.Root, "models", "cxr-triage", "manifest.json")), "manifest.json");
        var perLabel = new Heatmap("pneumothorax", 2, 2, [0, 0.5f, 1, 0]);
        var whole = new Heatmap(null, 2, 2, [1, 1, 1, 1]);
        var score = new ModelScore("cxr-triage", "1.0.0", manifest.Sha256,
            [new LabelScore("pneumothorax", 0.9f, true, 0.84f, 1, true), new LabelScore("unknown-label", 0.1f, false, 0.5f, 0.5f, false)],
            [perLabel, whole], new InputPlacement(0.1f, 0, 0.8f, 1));
        var instance = ScoredInstance.From(ResultStudies.Sample("clinic-a/pneumothorax-pa.dcm"), score, manifest);
        Assert.Equal(new CodedConcept("36118008", "SCT", "Pneumothorax"), instance.Findings[0].Code);
        Assert.Same(perLabel, instance.Findings[0].Heatmap);
        Assert.Equal(new InputPlacement(0.1f, 0, 0.8f, 1), instance.Findings[0].Letterbox);
        Assert.Equal(new CodedConcept("unknown-label", "99RDX", "unknown-label"), instance.Findings[1].Code);
        Assert.Same(whole, instance.Findings[1].Heatmap);
        Assert.Equal(0.9, instance.Findings[0].Probability, 5);
    }
}
