namespace RemoteDx.Core.Batch;

/// <summary>A percentile bootstrap interval for the AUC.</summary>
public sealed record AucInterval(double Low, double High, int Resamples, int Used, int Seed, double Level);

/// <summary>Nonparametric bootstrap of the AUC: <c>resamples</c> samples of n cases drawn with replacement (System.Random
/// with a fixed seed, so the same data and seed give the same interval on every run and machine), the AUC of each,
/// and the (1−level)/2 and (1+level)/2 percentiles of those AUCs with numpy's linear interpolation. A resample that
/// holds only one class has no AUC and is left out (<see cref="AucInterval.Used"/> counts the rest).</summary>
public static class Bootstrap
{
    public const int DefaultResamples = 1000;

    public const int DefaultSeed = 20240611;

    public static AucInterval? Auc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive, int resamples = DefaultResamples,
        int seed = DefaultSeed, double level = 0.95)
    {
        var n = scores.Length;
        if (n == 0)
        {
            return null;
        }
        var rng = new Random(seed);
        var s = new double[n];
        var p = new bool[n];
        var aucs = new List<double>(resamples);
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < n; i++)
            {
                var k = rng.Next(n);
                s[i] = scores[k];
                p[i] = positive[k];
            }
            var auc = Roc.Auc(s, p);
            if (!double.IsNaN(auc))
            {
                aucs.Add(auc);
            }
        }
        if (aucs.Count == 0)
        {
            return null;
        }
        aucs.Sort();
        return new AucInterval(Percentile(aucs, 100 * (1 - level) / 2), Percentile(aucs, 100 * (1 + level) / 2), resamples, aucs.Count, seed, level);
    }

    /// <summary>numpy.percentile's default ("linear"): position q/100·(m−1) between the sorted values.</summary>
    public static double Percentile(List<double> sorted, double q)
    {
        var pos = q / 100 * (sorted.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
