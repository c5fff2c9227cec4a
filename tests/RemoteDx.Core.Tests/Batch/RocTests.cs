using System.Globalization;
using System.Text.Json.Nodes;
using RemoteDx.Core.Batch;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Batch;

public sealed class RocTests
{
    /// <summary>Scores with many ties (two decimals) and a weak signal, so ties between classes matter.</summary>
    private static (double[] Scores, bool[] Truth) Sample(int n, int seed)
    {
        var rng = new Random(seed);
        var s = new double[n];
        var t = new bool[n];
        for (var i = 0; i < n; i++)
        {
            t[i] = rng.NextDouble() < 0.35;
            s[i] = Math.Round(Math.Clamp(rng.NextDouble() * 0.8 + (t[i] ? 0.2 : 0), 0, 1), 2);
        }
        return (s, t);
    }

    [Theory]
    [InlineData(300, 1, 0.5, 0.95)]
    [InlineData(57, 2, 0.35, 0.9)]
    [InlineData(1000, 3, 0.62, 0.8)]
    public void AUC_ROC_points_and_operating_points_equal_scikit_learn(int n, int seed, double threshold, double target)
    {
        var (scores, truth) = Sample(n, seed);
        var dir = TempDirectory.ForTestRun();
        var csv = Path.Combine(dir, "pairs.csv");
        File.WriteAllLines(csv, scores.Select((s, i) => $"{s.ToString("R", CultureInfo.InvariantCulture)},{(truth[i] ? 1 : 0)}"));
        var outPath = Path.Combine(dir, "ref.json");
        SklearnReference.Run("pairs", csv, threshold.ToString("R", CultureInfo.InvariantCulture),
            target.ToString("R", CultureInfo.InvariantCulture), outPath);
        var expected = JsonNode.Parse(File.ReadAllText(outPath))!;

        Assert.Equal((double)expected["auc"]!, Roc.Auc(scores, truth), 1e-6);
        var curve = Roc.Curve(scores, truth);
        Assert.True(double.IsPositiveInfinity(curve[0].Threshold));
        Assert.Equal((0.0, 0.0), (curve[0].Fpr, curve[0].Tpr));
        var fpr = expected["fpr"]!.AsArray();
        Assert.Equal(fpr.Count, curve.Count - 1);
        for (var i = 0; i < fpr.Count; i++)
        {
            Assert.Equal((double)fpr[i]!, curve[i + 1].Fpr, 1e-6);
            Assert.Equal((double)expected["tpr"]![i]!, curve[i + 1].Tpr, 1e-6);
            Assert.Equal((double)expected["thresholds"]![i]!, curve[i + 1].Threshold, 1e-6);
        }
        var (sens, spec) = Roc.At(scores, truth, threshold);
        Assert.Equal((double)expected["sensitivity"]!, sens, 1e-6);
        Assert.Equal((double)expected["specificity"]!, spec, 1e-6);
        var atTarget = Roc.ThresholdForSensitivity(curve, target);
        Assert.NotNull(atTarget);
        Assert.Equal((double)expected["thresholdForTarget"]!, atTarget.Value.Threshold, 1e-6);
        Assert.Equal((double)expected["specificityAtTarget"]!, 1 - atTarget.Value.Fpr, 1e-6);
        Assert.True(atTarget.Value.Tpr >= target);
    }

    [Fact]
    public void A_tie_between_a_positive_and_a_negative_counts_one_half()
    {
        Assert.Equal(0.5, Roc.Auc([0.3, 0.3], [true, false]));
        Assert.Equal(0.75, Roc.Auc([0.1, 0.5, 0.5], [false, true, false]));
        Assert.True(double.IsNaN(Roc.Auc([0.1, 0.2], [true, true])));
    }

    [Fact]
    public void The_threshold_for_a_target_sensitivity_is_the_largest_that_reaches_it()
    {
        // Positives at 0.9, 0.8, 0.4, 0.2: sensitivity 0.75 is first reached at 0.4 (0.5 would give 0.5).
        double[] s = [0.9, 0.8, 0.4, 0.2, 0.7, 0.3, 0.1];
        bool[] t = [true, true, true, true, false, false, false];
        Assert.Equal(0.4, Roc.ThresholdForSensitivity(Roc.Curve(s, t), 0.75)!.Value.Threshold);
        Assert.Equal(0.2, Roc.ThresholdForSensitivity(Roc.Curve(s, t), 0.76)!.Value.Threshold);
        Assert.Equal(0.9, Roc.ThresholdForSensitivity(Roc.Curve(s, t), 0.25)!.Value.Threshold);
    }

    [Fact]
    public void The_bootstrap_interval_contains_the_AUC_and_is_the_same_for_the_same_seed()
    {
        var (scores, truth) = Sample(400, 7);
        var auc = Roc.Auc(scores, truth);
        var a = Bootstrap.Auc(scores, truth, 1000, 42)!;
        var b = Bootstrap.Auc(scores, truth, 1000, 42)!;
        var c = Bootstrap.Auc(scores, truth, 1000, 43)!;
        Assert.InRange(auc, a.Low, a.High);
        Assert.True(a.Low < a.High);
        Assert.Equal(a, b);
        Assert.NotEqual((a.Low, a.High), (c.Low, c.High));
        Assert.Equal(1000, a.Used);
    }

    [Fact]
    public void Percentiles_interpolate_linearly_as_numpy_does()
    {
        List<double> v = [1, 2, 3, 4, 10];
        Assert.Equal(2.5, Bootstrap.Percentile(v, 37.5));
        Assert.Equal(1.1, Bootstrap.Percentile(v, 2.5), 12);
        Assert.Equal(9.4, Bootstrap.Percentile(v, 97.5), 12);
    }
}
