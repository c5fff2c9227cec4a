using System.Collections.Concurrent;

namespace RemoteDx.Core.Inference;

/// <summary>Sparse one-axis resampling weights: output index o reads source indices Start[o] .. Start[o]+Count[o]-1
/// with Weights[Offset[o] ..]. The 2-D resize is the outer product of two axes.</summary>
internal sealed class ResizeWeights
{
    public int[] Start { get; }
    public int[] Count { get; }
    public int[] Offset { get; }
    public float[] Weights { get; }

    private ResizeWeights(int[] start, int[] count, int[] offset, float[] weights)
    {
        Start = start;
        Count = count;
        Offset = offset;
        Weights = weights;
    }

    private static readonly ConcurrentDictionary<(int, int, bool), ResizeWeights> Cache = new();

    public static ResizeWeights For(int nIn, int nOut, bool area) =>
        Cache.Count > 4096 ? Build(nIn, nOut, area) : Cache.GetOrAdd((nIn, nOut, area), k => Build(k.Item1, k.Item2, k.Item3));

    private static ResizeWeights Build(int nIn, int nOut, bool area)
    {
        var start = new int[nOut];
        var count = new int[nOut];
        var offset = new int[nOut];
        var weights = new List<float>(nOut * 4);
        var scale = (double)nIn / nOut;
        for (var o = 0; o < nOut; o++)
        {
            offset[o] = weights.Count;
            if (area)
            {
                // The source is piecewise constant; each output cell averages it over its footprint [a, b).
                var a = o * scale;
                var b = (o + 1) * scale;
                var first = (int)Math.Floor(a);
                start[o] = first;
                for (var i = first; i < nIn && i < b; i++)
                {
                    var overlap = Math.Min(b, i + 1) - Math.Max(a, i);
                    if (overlap > 0)
                    {
                        weights.Add((float)(overlap / scale));
                        count[o]++;
                    }
                    else if (count[o] == 0)
                    {
                        start[o] = i + 1;
                    }
                }
            }
            else
            {
                // torch interpolate(mode="bilinear", align_corners=False), no antialias.
                var s = Math.Max((o + 0.5) * scale - 0.5, 0);
                var i0 = Math.Min((int)Math.Floor(s), nIn - 1);
                var i1 = Math.Min(i0 + 1, nIn - 1);
                var f = s - i0;
                start[o] = i0;
                if (i1 == i0)
                {
                    weights.Add(1f);
                    count[o] = 1;
                }
                else
                {
                    weights.Add((float)(1 - f));
                    weights.Add((float)f);
                    count[o] = 2;
                }
            }
        }
        return new ResizeWeights(start, count, offset, [.. weights]);
    }
}
