using RemoteDx.Core.Inference;
using RemoteDx.Core.Results;
using RemoteDx.Core.Tests.Inference;

namespace RemoteDx.Core.Tests.Results;

public sealed class ResultCodesTests
{
    [Fact]
    public void The_shipped_manifest_codes_every_label_with_SNOMED_CT()
    {
        var manifest = ModelManifest.Parse(File.ReadAllText(Path.Combine(ModelFolder.RepoRoot, "models", "cxr-triage", "manifest.json")), "manifest.json");
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
        var json = File.ReadAllText(Path.Combine(ModelFolder.RepoRoot, "models", "cxr-triage", "manifest.json"));
        var bad = System.Text.RegularExpressions.Regex.Replace(json, "\"code\":\\s*\\{[^}]*36118008[^}]*\\}", "\"code\": " + code);
        Assert.NotEqual(json, bad);
        var ex = Assert.Throws<ModelLoadException>(() => ModelManifest.Parse(bad, "manifest.json"));
        Assert.Contains("manifest.json", ex.Message);
    }
}
