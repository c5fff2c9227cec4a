namespace RemoteDx.Phantoms;

/// <summary>The two blurs a radiograph needs: a broad one for the scatter field and the detector's own small one.</summary>
internal static class Blur
{
    /// <summary>A wide, roughly Gaussian blur (sigma about <paramref name="sigmaMm"/>), computed on a coarse grid and
    /// interpolated back: scatter varies slowly, so this costs little even at 2048².</summary>
    public static float[] Broad(float[] image, int n, double spacing, double sigmaMm)
    {
        var factor = Math.Max(1, n / 64);
        var m = (n + factor - 1) / factor;
        var coarse = new float[m * m];
        var counts = new int[m * m];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                var j = r / factor * m + c / factor;
                coarse[j] += image[r * n + c];
                counts[j]++;
            }
        }
        for (var j = 0; j < coarse.Length; j++)
        {
            coarse[j] /= counts[j];
        }
        // Three box passes approximate a Gaussian; radius from sigma^2 = passes * ((2r+1)^2 - 1) / 12.
        var cell = spacing * factor;
        var sigmaCells = sigmaMm / cell;
        var radius = Math.Max(1, (int)Math.Round((Math.Sqrt(4 * sigmaCells * sigmaCells + 1) - 1) / 2));
        var tmp = new float[m * m];
        for (var pass = 0; pass < 3; pass++)
        {
            BoxRows(coarse, tmp, m, radius);
            BoxColumns(tmp, coarse, m, radius);
        }
        var result = new float[n * n];
        for (var r = 0; r < n; r++)
        {
            var fy = Math.Clamp((r + 0.5) / factor - 0.5, 0, m - 1);
            var y0 = Math.Min((int)fy, m - 2 < 0 ? 0 : m - 2);
            var ty = fy - y0;
            for (var c = 0; c < n; c++)
            {
                var fx = Math.Clamp((c + 0.5) / factor - 0.5, 0, m - 1);
                var x0 = Math.Min((int)fx, m - 2 < 0 ? 0 : m - 2);
                var tx = fx - x0;
                var x1 = Math.Min(x0 + 1, m - 1);
                var y1 = Math.Min(y0 + 1, m - 1);
                var top = coarse[y0 * m + x0] + (coarse[y0 * m + x1] - coarse[y0 * m + x0]) * tx;
                var bottom = coarse[y1 * m + x0] + (coarse[y1 * m + x1] - coarse[y1 * m + x0]) * tx;
                result[r * n + c] = (float)(top + (bottom - top) * ty);
            }
        }
        return result;
    }

    /// <summary>Box filter along rows with edge clamping.</summary>
    private static void BoxRows(float[] src, float[] dst, int m, int radius)
    {
        for (var r = 0; r < m; r++)
        {
            for (var c = 0; c < m; c++)
            {
                double sum = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    sum += src[r * m + Math.Clamp(c + k, 0, m - 1)];
                }
                dst[r * m + c] = (float)(sum / (2 * radius + 1));
            }
        }
    }

    private static void BoxColumns(float[] src, float[] dst, int m, int radius)
    {
        for (var r = 0; r < m; r++)
        {
            for (var c = 0; c < m; c++)
            {
                double sum = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    sum += src[Math.Clamp(r + k, 0, m - 1) * m + c];
                }
                dst[r * m + c] = (float)(sum / (2 * radius + 1));
            }
        }
    }

    /// <summary>The detector's point spread: a separable [1 2 1]/4 kernel, in place.</summary>
    public static void Detector(float[] image, int n)
    {
        var row = new float[n];
        for (var r = 0; r < n; r++)
        {
            var o = r * n;
            for (var c = 0; c < n; c++)
            {
                var left = image[o + Math.Max(c - 1, 0)];
                var right = image[o + Math.Min(c + 1, n - 1)];
                row[c] = 0.25f * left + 0.5f * image[o + c] + 0.25f * right;
            }
            Array.Copy(row, 0, image, o, n);
        }
        var above = new float[n];
        var current = new float[n];
        for (var r = 0; r < n; r++)
        {
            Array.Copy(image, r * n, current, 0, n);
            var belowRow = Math.Min(r + 1, n - 1) * n;
            for (var c = 0; c < n; c++)
            {
                var up = r == 0 ? current[c] : above[c];
                image[r * n + c] = 0.25f * up + 0.5f * current[c] + 0.25f * image[belowRow + c];
            }
            (above, current) = (current, above);
        }
    }
}
