using RemoteDx.Testing;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>The acceptance check, run through the C# engine: the shipped model loads in the registry and ranks
/// every abnormal sample above every normal one; the hand is not applicable.</summary>
public sealed class ShippedModelRankingTests
{
    [Fact]
    public async Task The_registry_loads_cxr_triage_and_ranks_every_abnormal_sample_above_every_normal_one()
    {
        var root = Repo.Root;
        await using var registry = ModelRegistry.Load(new InferenceOptions
        {
            ModelsDirectory = Path.Combine(root, "models"),
            Provider = "cpu",
            IntraOpThreads = 1,
        });
        Assert.Empty(registry.Rejected);
        Assert.NotNull(registry.Find("cxr-triage"));
        var samples = Path.Combine(root, "sample-dicom");
        var lines = File.ReadAllLines(Path.Combine(samples, "labels.csv")).Skip(1).Select(l => l.Split(','));
        var normal = new List<(float Priority, string File)>();
        var abnormal = new List<(float Priority, string File)>();
        foreach (var cells in lines)
        {
            var score = await registry.ScoreAsync(DicomReader.ReadFile(Path.Combine(samples, cells[0])));
            if (cells[0].Contains("hand", StringComparison.Ordinal))
            {
                Assert.True(score.NotApplicable, $"{cells[0]}: a chest model was applied to a hand");
                continue;
            }
            var model = Assert.Single(score.Models);
            (cells.Skip(1).Any(c => c == "1") ? abnormal : normal).Add((model.Priority, cells[0]));
        }
        var lowestAbnormal = abnormal.Min();
        var highestNormal = normal.Max();
        Assert.True(lowestAbnormal.Priority > highestNormal.Priority,
            $"abnormal {lowestAbnormal.File} ({lowestAbnormal.Priority:0.000}) does not rank above normal {highestNormal.File} ({highestNormal.Priority:0.000})");
    }
}
