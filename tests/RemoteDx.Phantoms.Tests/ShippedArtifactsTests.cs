using System.Security.Cryptography;
using System.Text.Json;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Phantoms.Tests;

/// <summary>What is committed under models/cxr-triage and sample-dicom agrees with itself and with the generator.</summary>
public sealed class ShippedArtifactsTests
{
    private static string ModelDir => Path.Combine(PhantomTestSupport.RepoRoot, "models", "cxr-triage");

    private static string SampleDir => Path.Combine(PhantomTestSupport.RepoRoot, "sample-dicom");

    [Fact]
    public void The_shipped_model_file_has_the_sha256_its_manifest_declares()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "manifest.json")));
        var root = manifest.RootElement;
        var file = root.TryGetProperty("file", out var f) ? f.GetString()! : "model.onnx";
        var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(ModelDir, file))));
        Assert.Equal(root.GetProperty("sha256").GetString(), actual);
        Assert.Equal("cxr-triage", root.GetProperty("name").GetString());
    }

    [Fact]
    public void The_shipped_manifest_labels_are_the_phantom_labels_in_order_with_pneumothorax_critical()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "manifest.json")));
        var labels = manifest.RootElement.GetProperty("labels").EnumerateArray().ToList();
        Assert.Equal(PhantomLabels.Names, labels.Select(l => l.GetProperty("name").GetString()!).ToList());
        foreach (var l in labels)
        {
            var threshold = l.GetProperty("threshold").GetDouble();
            Assert.InRange(threshold, 0.0001, 0.9999);
            Assert.Equal(l.GetProperty("name").GetString() == "pneumothorax", l.GetProperty("critical").GetBoolean());
        }
    }

    [Fact]
    public void Sample_dicom_labels_list_every_file_and_each_file_reads()
    {
        var lines = File.ReadAllLines(Path.Combine(SampleDir, "labels.csv"));
        Assert.Equal("file," + string.Join(',', PhantomLabels.Names), lines[0]);
        var listed = lines.Skip(1).Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal).ToList();
        var onDisk = Directory.EnumerateFiles(SampleDir, "*.dcm", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(SampleDir, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(onDisk, listed);
        foreach (var file in listed)
        {
            Assert.NotNull(DicomReader.ReadFile(Path.Combine(SampleDir, file)).Dataset.GetString(RemoteDx.Dicom.Tag.SOPInstanceUID));
        }
        long total = Directory.EnumerateFiles(SampleDir, "*", SearchOption.AllDirectories).Sum(p => new FileInfo(p).Length);
        Assert.True(total < 20L * 1024 * 1024, $"sample-dicom holds {total} bytes, over 20 MB");
    }

    [Fact]
    public void Sample_dicom_is_exactly_what_the_generator_writes()
    {
        var dir = RemoteDx.Testing.TempDirectory.ForTestRun();
        PhantomSamples.Write(dir);
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(dir, path);
            var committed = Path.Combine(SampleDir, relative);
            Assert.True(File.Exists(committed), $"sample-dicom/{relative} is missing: regenerate with tools/train/make_samples.sh");
            Assert.True(File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(path)),
                $"sample-dicom/{relative} differs from what the generator writes: regenerate with tools/train/make_samples.sh");
        }
    }
}
