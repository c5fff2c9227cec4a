using System.Globalization;
using System.Text.Json.Nodes;
using RemoteDx.Core.Tests.Batch;
using RemoteDx.Core.Tests.Inference;
using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests;

public sealed class ModelsCommandTests(ModelsFixture models) : IClassFixture<ModelsFixture>
{
    [Fact]
    public async Task Models_list_shows_versions_labels_thresholds_the_provider_and_refused_models()
    {
        var (code, stdout, stderr) = await RemoteDxCommand.RunAsync("models", "list", "--models-dir", models.ModelsDir, "--provider", "cpu");
        Assert.True(code == 0, stderr);
        Assert.Contains("execution provider: cpu", stdout, StringComparison.Ordinal);
        Assert.Contains("testnet test-1  on cpu, batches of up to 8", stdout, StringComparison.Ordinal);
        Assert.Matches(@"alpha\s+0\.5\s+0\.5\s+yes", stdout);
        Assert.Matches(@"gamma\s+0\.5\s+0\.7\s+no", stdout);
        Assert.Contains("rejected tampered: model 'tampered': sha256", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_figures_equal_scikit_learn_on_a_labelled_set()
    {
        var dir = TempDirectory.ForTestRun();
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        var rng = new Random(5);
        var lines = new List<string> { "file,alpha,beta,gamma,unknown_finding" };
        for (var i = 0; i < 120; i++)
        {
            // Truth loosely tied to the image seed so the figures are neither trivial nor all alike; some blanks.
            var seed = 200 + i;
            TestImages.Save(new TestImages.Spec(Rows: 80 + i % 7 * 10, Columns: 96, Seed: seed), images, $"{i:D3}.dcm");
            var a = rng.NextDouble() < 0.4 ? 1 : 0;
            var b = i % 3 == 0 ? 1 : 0;
            var g = i % 11 == 0 ? "" : (rng.NextDouble() < 0.5 ? "1" : "0");
            lines.Add($"images/{i:D3}.dcm,{a},{b},{g},{i % 2}");
        }
        lines.Add("images/missing.dcm,1,0,1,0");
        var labels = Path.Combine(dir, "labels.csv");
        File.WriteAllLines(labels, lines);
        var scores = Path.Combine(dir, "scores.csv");
        var report = Path.Combine(dir, "report");
        var common = new[] { "--models-dir", models.ModelsDir, "--provider", "cpu" };
        var run = await RemoteDxCommand.RunAsync(["score", images, "--out", scores, .. common]);
        Assert.True(run.Code == 0, run.Stderr);
        run = await RemoteDxCommand.RunAsync(["models", "validate", "--labels", labels, images, "--out", report,
            "--target-sensitivity", "0.9", .. common]);
        Assert.True(run.Code == 0, run.Stderr);

        var reference = Path.Combine(dir, "sklearn.json");
        SklearnReference.Run("validate", scores, labels, Path.Combine(models.TestNet, "manifest.json"), "0.9", reference);
        var expected = JsonNode.Parse(File.ReadAllText(reference))!.AsObject();
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(report, "metrics.json")))!;
        var figures = metrics["labels"]!.AsArray();
        Assert.Equal(["alpha", "beta", "gamma"], figures.Select(f => (string)f!["label"]!));
        foreach (var f in figures)
        {
            var e = expected[(string)f!["label"]!]!;
            Assert.Equal((int)e["cases"]!, (int)f["cases"]!);
            Assert.Equal((int)e["positives"]!, (int)f["positives"]!);
            Assert.Equal((double)e["auc"]!, (double)f["auc"]!, 1e-6);
            Assert.Equal((double)e["sensitivity"]!, (double)f["sensitivity"]!, 1e-6);
            Assert.Equal((double)e["specificity"]!, (double)f["specificity"]!, 1e-6);
            Assert.Equal((double)e["thresholdForTarget"]!, (double)f["thresholdForTarget"]!, 1e-6);
            Assert.Equal((double)e["specificityAtTarget"]!, (double)f["specificityAtTarget"]!, 1e-6);
            var roc = f["roc"]!.AsArray();
            Assert.Null(roc[0]!["threshold"]);
            Assert.Equal(e["fpr"]!.AsArray().Count, roc.Count - 1);
            for (var i = 1; i < roc.Count; i++)
            {
                Assert.Equal((double)e["fpr"]![i - 1]!, (double)roc[i]!["fpr"]!, 1e-6);
                Assert.Equal((double)e["tpr"]![i - 1]!, (double)roc[i]!["tpr"]!, 1e-6);
                Assert.Equal((double)e["thresholds"]![i - 1]!, (double)roc[i]!["threshold"]!, 1e-6);
            }
            Assert.InRange((double)f["auc"]!, (double)f["aucLow"]!, (double)f["aucHigh"]!);
            Assert.True(File.Exists(Path.Combine(report, (string)f["svg"]!)));
        }
        Assert.Equal(["unknown_finding"], metrics["labelsNotInModels"]!.AsArray().Select(n => (string)n!));
        var unscored = Assert.Single(metrics["unscoredFiles"]!.AsArray());
        Assert.EndsWith("missing.dcm", (string)unscored!["file"]!, StringComparison.Ordinal);

        // The same seed gives the same interval; the report holds every curve.
        var again = Path.Combine(dir, "again");
        run = await RemoteDxCommand.RunAsync(["models", "validate", "--labels", labels, "--out", again, "--target-sensitivity", "0.9", .. common]);
        Assert.True(run.Code == 0, run.Stderr);
        var second = JsonNode.Parse(File.ReadAllText(Path.Combine(again, "metrics.json")))!["labels"]!.AsArray();
        for (var i = 0; i < figures.Count; i++)
        {
            Assert.Equal((double)figures[i]!["aucLow"]!, (double)second[i]!["aucLow"]!);
            Assert.Equal((double)figures[i]!["aucHigh"]!, (double)second[i]!["aucHigh"]!);
        }
        var html = File.ReadAllText(Path.Combine(report, "report.html"));
        Assert.Equal(3, html.Split("<svg ").Length - 1);
        var md = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("(roc-testnet-alpha.svg)", md, StringComparison.Ordinal);
        Assert.Contains(((double)figures[0]!["auc"]!).ToString("0.000", CultureInfo.InvariantCulture), md, StringComparison.Ordinal);
    }
}
