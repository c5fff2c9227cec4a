namespace RemoteDx.Core.Inference;

/// <summary>Raw outputs of one image → probabilities, findings and heatmaps, as the manifest declares.</summary>
internal static class Postprocess
{
    public static ModelScore Score(ModelManifest m, float[] scores, long[] scoreShape, float[]? heat, long[]? heatShape,
        int index, InputPlacement placement)
    {
        var labels = m.Labels.Count;
        var row = scores.AsSpan(index * labels, labels);
        var probabilities = new float[labels];
        switch (m.Outputs.Activation)
        {
            case "sigmoid":
                for (var i = 0; i < labels; i++)
                {
                    probabilities[i] = Sigmoid(row[i]);
                }
                break;
            case "softmax":
                var max = float.NegativeInfinity;
                foreach (var v in row)
                {
                    max = Math.Max(max, v);
                }
                double sum = 0;
                for (var i = 0; i < labels; i++)
                {
                    sum += Math.Exp(row[i] - max);
                }
                for (var i = 0; i < labels; i++)
                {
                    probabilities[i] = (float)(Math.Exp(row[i] - max) / sum);
                }
                break;
            default:
                row.CopyTo(probabilities);
                break;
        }
        var results = new LabelScore[labels];
        for (var i = 0; i < labels; i++)
        {
            var l = m.Labels[i];
            var p = probabilities[i];
            results[i] = new LabelScore(l.Name, p, p >= l.Threshold, (float)l.Threshold, (float)l.Urgency, l.Critical);
        }
        var heatmaps = heat is not null && heatShape is { Length: 4 }
            ? Heatmaps(m, heat, heatShape, index, placement)
            : [];
        return new ModelScore(m.Name, m.Version, m.Sha256, results, heatmaps, placement);
    }

    private static float Sigmoid(float x) => (float)(1 / (1 + Math.Exp(-x)));

    /// <summary>Each map cropped to the cells that cover the image (letterbox padding removed), values in [0, 1].</summary>
    private static Heatmap[] Heatmaps(ModelManifest m, float[] heat, long[] shape, int index, InputPlacement placement)
    {
        var maps = (int)shape[1];
        var h = (int)shape[2];
        var w = (int)shape[3];
        var x0 = Math.Clamp((int)Math.Floor(placement.Left * w + 1e-4), 0, w - 1);
        var y0 = Math.Clamp((int)Math.Floor(placement.Top * h + 1e-4), 0, h - 1);
        var x1 = Math.Clamp((int)Math.Ceiling((placement.Left + placement.Width) * w - 1e-4), x0 + 1, w);
        var y1 = Math.Clamp((int)Math.Ceiling((placement.Top + placement.Height) * h - 1e-4), y0 + 1, h);
        var cw = x1 - x0;
        var ch = y1 - y0;
        var result = new Heatmap[maps];
        for (var k = 0; k < maps; k++)
        {
            var plane = heat.AsSpan(((index * maps) + k) * h * w, h * w);
            var values = new float[cw * ch];
            for (var y = 0; y < ch; y++)
            {
                for (var x = 0; x < cw; x++)
                {
                    values[y * cw + x] = plane[(y0 + y) * w + x0 + x];
                }
            }
            if (m.Outputs.Activation == "sigmoid")
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = Sigmoid(values[i]);
                }
            }
            else
            {
                var min = values.Min();
                var max = values.Max();
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = max > min ? (values[i] - min) / (max - min) : 0;
                }
            }
            var label = maps == m.Labels.Count ? m.Labels[k].Name : null;
            result[k] = new Heatmap(label, cw, ch, values);
        }
        return result;
    }
}
