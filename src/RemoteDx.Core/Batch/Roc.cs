namespace RemoteDx.Core.Batch;

/// <summary>One point of a ROC curve: everything scoring at or above <see cref="Threshold"/> is called positive.
/// The first point of a curve, (0, 0), has an infinite threshold (nothing is called positive).</summary>
public readonly record struct RocPoint(double Threshold, double Fpr, double Tpr);

/// <summary>Binary classification figures for one label: the ROC curve, its area, and sensitivity/specificity at a
/// threshold. Definitions match scikit-learn (roc_curve with drop_intermediate=False, roc_auc_score), so a second
/// implementation can check them.</summary>
public static class Roc
{
    /// <summary>Area under the ROC curve as the Mann–Whitney U statistic over nPos·nNeg (a tie between a positive and a
    /// negative counts ½), computed with mid-ranks in O(n log n). NaN when either class is empty.</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        var n = scores.Length;
        var order = SortedAscending(scores);
        long nPos = 0;
        foreach (var p in positive)
        {
            nPos += p ? 1 : 0;
        }
        var nNeg = n - nPos;
        if (nPos == 0 || nNeg == 0)
        {
            return double.NaN;
        }
        // Sum of the positives' ranks (1-based), ties sharing their mean rank.
        double rankSum = 0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }
            var midRank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (positive[order[k]])
                {
                    rankSum += midRank;
                }
            }
            i = j + 1;
        }
        var u = rankSum - nPos * (nPos + 1) / 2.0;
        return u / ((double)nPos * nNeg);
    }

    /// <summary>Every distinct threshold, highest first, after the (0, 0) point: scikit-learn's
    /// <c>roc_curve(y, s, drop_intermediate=False)</c>.</summary>
    public static List<RocPoint> Curve(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        var n = scores.Length;
        var order = SortedAscending(scores);
        long nPos = 0;
        foreach (var p in positive)
        {
            nPos += p ? 1 : 0;
        }
        var nNeg = n - nPos;
        var points = new List<RocPoint> { new(double.PositiveInfinity, 0, 0) };
        long tp = 0, fp = 0;
        for (var i = n - 1; i >= 0;)
        {
            var value = scores[order[i]];
            while (i >= 0 && scores[order[i]] == value)
            {
                if (positive[order[i]])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
                i--;
            }
            points.Add(new RocPoint(value, nNeg == 0 ? double.NaN : (double)fp / nNeg, nPos == 0 ? double.NaN : (double)tp / nPos));
        }
        return points;
    }

    /// <summary>Sensitivity and specificity when "positive" means score ≥ <paramref name="threshold"/> (NaN for a class
    /// with no cases).</summary>
    public static (double Sensitivity, double Specificity) At(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive, double threshold)
    {
        long tp = 0, fn = 0, tn = 0, fp = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var called = scores[i] >= threshold;
            if (positive[i])
            {
                if (called)
                {
                    tp++;
                }
                else
                {
                    fn++;
                }
            }
            else if (called)
            {
                fp++;
            }
            else
            {
                tn++;
            }
        }
        return (tp + fn == 0 ? double.NaN : (double)tp / (tp + fn), tn + fp == 0 ? double.NaN : (double)tn / (tn + fp));
    }

    /// <summary>The largest threshold whose sensitivity reaches <paramref name="target"/> (the curve point with the
    /// highest finite threshold and TPR ≥ target), with the specificity there; null when there are no positives.</summary>
    public static RocPoint? ThresholdForSensitivity(IReadOnlyList<RocPoint> curve, double target)
    {
        foreach (var p in curve)
        {
            if (double.IsFinite(p.Threshold) && p.Tpr >= target)
            {
                return p;
            }
        }
        return null;
    }

    private static int[] SortedAscending(ReadOnlySpan<double> scores)
    {
        var keys = scores.ToArray();
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(keys, order);
        return order;
    }
}
