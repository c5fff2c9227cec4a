namespace RemoteDx.Phantoms;

/// <summary>Turns an attenuation map (patient frame) into stored 12-bit values (image frame): positioning (rotation and
/// shift), heel effect, scatter (a broad blur of the primary), collimator shutters, quantum noise, the detector's
/// blur, its logarithmic response and presentation processing (unsharp masking).</summary>
public static class Detector
{
    public const int BitsStored = 12;
    private const int MaxValue = (1 << BitsStored) - 1;

    /// <summary>Stored values, and the Window Center/Width that spans the collimated field's 1st to 99th percentile.</summary>
    public static (ushort[] Pixels, double WindowCenter, double WindowWidth) Expose(float[] attenuation, int size, double spacing,
        Acquisition acq, PhantomRandom noise)
    {
        var n = size;
        var intensity = new float[n * n];
        var field = new bool[n * n];
        var theta = acq.RotationDegrees * Math.PI / 180;
        var cos = Math.Cos(theta);
        var sin = Math.Sin(theta);
        var half = n / 2.0;
        var fov = n * spacing;
        var (cl, ct, cr, cb) = acq.Collimation;
        for (var r = 0; r < n; r++)
        {
            var yi = (r + 0.5 - half) * spacing;
            var heel = acq.ExposureFactor * (1 + acq.Heel * yi / fov);
            for (var c = 0; c < n; c++)
            {
                var xi = (c + 0.5 - half) * spacing;
                // Image point -> patient point: undo the shift, then the rotation.
                var xs = xi - acq.ShiftX;
                var ys = yi - acq.ShiftY;
                var xp = cos * xs + sin * ys;
                var yp = -sin * xs + cos * ys;
                var mu = Bilinear(attenuation, n, xp / spacing + half - 0.5, yp / spacing + half - 0.5);
                intensity[r * n + c] = (float)(heel * Math.Exp(-mu));
                field[r * n + c] = xi > -fov / 2 + cl && xi < fov / 2 - cr && yi > -fov / 2 + ct && yi < fov / 2 - cb;
            }
        }

        var scatter = Blur.Broad(intensity, n, spacing, 45);
        var photons = acq.PhotonsPerMm2 * spacing * spacing;
        for (var r = 0; r < n; r++)
        {
            var yi = (r + 0.5 - half) * spacing;
            for (var c = 0; c < n; c++)
            {
                var xi = (c + 0.5 - half) * spacing;
                var i = r * n + c;
                // Shutters let a little through; their edges have a short penumbra.
                var open = Shutter(xi, yi, fov, cl, ct, cr, cb);
                var signal = (intensity[i] + acq.ScatterToPrimary * scatter[i]) * (0.012 + 0.988 * open);
                var quanta = signal * photons;
                quanta += Math.Sqrt(Math.Max(quanta, 0)) * noise.Normal();
                intensity[i] = (float)Math.Max(quanta / photons, 1e-6);
            }
        }
        Blur.Detector(intensity, n);

        // Log response, then the vendor's presentation processing: unsharp masking with a broad kernel.
        var density = new float[n * n];
        for (var i = 0; i < density.Length; i++)
        {
            density[i] = (float)-Math.Log(intensity[i]);
        }
        var background = Blur.Broad(density, n, spacing, 18);

        var pixels = new ushort[n * n];
        var histogram = new long[MaxValue + 1];
        long inField = 0;
        var mono1 = acq.Photometric == "MONOCHROME1";
        for (var i = 0; i < pixels.Length; i++)
        {
            var processed = density[i] + acq.Enhancement * (density[i] - background[i]);
            var v = acq.Offset + acq.Gain * processed;
            if (mono1)
            {
                v = MaxValue - v;
            }
            var stored = (ushort)Math.Clamp((int)Math.Round(v), 0, MaxValue);
            pixels[i] = stored;
            if (field[i])
            {
                histogram[stored]++;
                inField++;
            }
        }
        var low = Percentile(histogram, inField, 0.01);
        var high = Percentile(histogram, inField, 0.99);
        var width = Math.Max(high - low, 64);
        return (pixels, Math.Round((low + high) / 2.0), width);
    }

    private static double Shutter(double x, double y, double fov, double left, double top, double right, double bottom)
    {
        const double penumbra = 1.5;
        var h = PhantomMath.Smoothstep(-fov / 2 + left - penumbra, -fov / 2 + left + penumbra, x)
            * PhantomMath.Smoothstep(fov / 2 - right + penumbra, fov / 2 - right - penumbra, x);
        var v = PhantomMath.Smoothstep(-fov / 2 + top - penumbra, -fov / 2 + top + penumbra, y)
            * PhantomMath.Smoothstep(fov / 2 - bottom + penumbra, fov / 2 - bottom - penumbra, y);
        return h * v;
    }

    private static int Percentile(long[] histogram, long total, double p)
    {
        var target = (long)(p * total);
        long seen = 0;
        for (var v = 0; v < histogram.Length; v++)
        {
            seen += histogram[v];
            if (seen > target)
            {
                return v;
            }
        }
        return histogram.Length - 1;
    }

    /// <summary>Bilinear sample at fractional pixel coordinates; zero (air) outside the map.</summary>
    private static double Bilinear(float[] map, int n, double fx, double fy)
    {
        var x0 = (int)Math.Floor(fx);
        var y0 = (int)Math.Floor(fy);
        var tx = fx - x0;
        var ty = fy - y0;
        double At(int x, int y) => (uint)x < (uint)n && (uint)y < (uint)n ? map[y * n + x] : 0;
        var top = At(x0, y0) + (At(x0 + 1, y0) - At(x0, y0)) * tx;
        var bottom = At(x0, y0 + 1) + (At(x0 + 1, y0 + 1) - At(x0, y0 + 1)) * tx;
        return top + (bottom - top) * ty;
    }
}
