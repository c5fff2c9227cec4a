using static RemoteDx.Phantoms.PhantomMath;

namespace RemoteDx.Phantoms;

/// <summary>Draws a chest phantom's attenuation in the patient frame: body outline and soft tissue, lungs with
/// parenchymal texture and vessels, heart and mediastinum, trachea, diaphragm domes, gastric bubble, breast shadows,
/// ribs, clavicles, spine, humeral heads (and scapulae on AP views), then the findings. Attenuation per mm is that of
/// soft tissue (0.020), aerated lung (0.006) and bone (about 0.035 over soft tissue) near 60 keV.</summary>
public static class ChestRenderer
{
    private const double Tissue = 0.020;
    private const double LungAir = Tissue - 0.006;
    private const double Bone = 0.035;

    public static ChestLayers Render(ChestAnatomy anatomy, PhantomFindings findings, ProjectionView view, int size, double fieldOfViewMm,
        PhantomRandom findingsRng, PhantomRandom textureRng)
    {
        var layers = new ChestLayers(size, fieldOfViewMm / size);
        var g = new ChestGeometry(anatomy);
        var plan = FindingPlan.Sample(g, findings, view, findingsRng);
        var fine = new ValueNoise(textureRng, fieldOfViewMm, 7);
        var coarse = new ValueNoise(textureRng, fieldOfViewMm, 22);
        var lungAir = new float[size * size];

        DrawSoftTissueAndLungs(layers, g, plan, view, fine, coarse, lungAir);
        VesselTree.Draw(layers, g, textureRng, lungAir);
        var mu = layers.Attenuation;
        for (var i = 0; i < mu.Length; i++)
        {
            // Blood vessels replace aerated lung (a little more contrast than raw physics, as edge-enhanced films show).
            mu[i] += (float)(1.6 * LungAir * layers.Vessels[i]);
        }
        DrawNodules(layers, plan);
        DrawSkeleton(layers, g, view, textureRng);
        return layers;
    }

    private static void DrawSoftTissueAndLungs(ChestLayers layers, ChestGeometry g, FindingPlan plan, ProjectionView view,
        ValueNoise fine, ValueNoise coarse, float[] lungAir)
    {
        var a = g.Anatomy;
        var n = layers.Size;
        var mu = layers.Attenuation;
        var carinaY = a.ApexY + 0.32 * (a.CostophrenicY - a.ApexY);
        var bubbleX = 0.42 * g.W;
        var bubbleY = g.DomeY(bubbleX, 1) + 24 * a.Scale;
        var breastY = a.CostophrenicY - 0.22 * (a.CostophrenicY - a.ApexY);
        for (var r = 0; r < n; r++)
        {
            var y = layers.Y(r);
            var halfBody = BodyHalfWidth(g, y);
            var depth0 = y >= a.ApexY ? a.BodyDepth : Math.Max(0.55 * a.BodyDepth, a.BodyDepth - 2.2 * (a.ApexY - y));
            for (var c = 0; c < n; c++)
            {
                var x = layers.X(c);
                var i = r * n + c;
                var q = x / halfBody;
                var body = q * q < 1 ? depth0 * Math.Sqrt(1 - q * q) : 0;
                var m = Tissue * (body + ArmThickness(g, x, y));

                // Trachea: an air column down to the carina.
                var tx = x - 0.4 * a.SpineShift;
                if (y < carinaY && Math.Abs(tx) < 9 * a.Scale && body > 0)
                {
                    m -= Tissue * 0.85 * Chord(9 * a.Scale, tx) * Smoothstep(carinaY, carinaY - 15, y);
                }
                if (a.GastricBubble)
                {
                    var bx = (x - bubbleX) / (30 * a.Scale);
                    var by = (y - bubbleY) / (17 * a.Scale);
                    var rr = bx * bx + by * by;
                    if (rr < 1)
                    {
                        m -= Tissue * 34 * a.Scale * Math.Sqrt(1 - rr);
                    }
                }
                if (a.BreastShadow > 0)
                {
                    var bx = (Math.Abs(x) - 0.55 * g.W) / (0.5 * g.W);
                    var by = (y - breastY) / (70 * a.Scale);
                    var rr = bx * bx + by * by;
                    if (rr < 1)
                    {
                        m += Tissue * a.BreastShadow * Math.Sqrt(1 - rr) * Smoothstep(1, 0.6, by);
                    }
                }

                var heart2 = g.HeartRadius2(x, y);
                layers.Heart[i] = heart2 <= 1;
                layers.Thorax[i] = g.InThorax(x, y);
                if (g.InLung(x, y, out var side, out var dLat, out var dMed, out var dTop, out var dBot))
                {
                    var v = Clamp01(g.V(y, side));
                    var depth = a.LungDepth * (0.75 + 0.25 * v) * EdgeRamp(dLat, 9) * EdgeRamp(dMed, 12) * EdgeRamp(dTop, 18) * EdgeRamp(dBot, 10);
                    // The heart displaces lung: in front of and behind it only a little remains.
                    if (heart2 < 1)
                    {
                        depth *= 1 - 0.85 * Math.Sqrt(1 - heart2);
                    }
                    depth *= 1 + 0.05 * fine.At(x, y) + 0.05 * coarse.At(x, y);

                    var air = plan.AirFraction(g, x, y, side, v, dLat, dTop, out var ptx, out var pleuralLine);
                    m -= LungAir * depth * air;
                    if (ptx)
                    {
                        // Pleural air replaces parenchyma as well: darker than lung, and no lung markings.
                        m -= 0.006 * depth * 0.8;
                        layers.Pneumothorax[i] = true;
                    }
                    m += pleuralLine;
                    lungAir[i] = (float)(ptx ? 0 : depth * air);
                    layers.Lungs[i] = heart2 > 1 && !ptx;
                }
                mu[i] = (float)Math.Max(m, 0);
            }
        }
    }

    private static double BodyHalfWidth(ChestGeometry g, double y)
    {
        var a = g.Anatomy;
        var chest = g.W + a.ChestWall - 0.08 * Math.Max(0, y - a.CostophrenicY);
        var neck = 58 * a.Scale * a.Build;
        // The shoulders slope from the neck out to the arms over the apices.
        var t = Smoothstep(a.ApexY - 70 * a.Scale, a.ApexY + 5 * a.Scale, y);
        return neck + (Math.Max(chest, neck) - neck) * Math.Sqrt(t);
    }

    /// <summary>The arms hang beside the chest wall, from the shoulder down.</summary>
    private static double ArmThickness(ChestGeometry g, double x, double y)
    {
        var a = g.Anatomy;
        var radius = 42 * a.Scale * a.Build;
        var centre = g.W + a.ChestWall + 10 + radius;
        var top = a.ApexY - 15 * a.Scale;
        if (y < top - radius)
        {
            return 0;
        }
        var dx = Math.Abs(x) - centre;
        var dy = Math.Max(0, top - y);
        return Chord(radius, Math.Sqrt(dx * dx + dy * dy));
    }

    private static void DrawNodules(ChestLayers layers, FindingPlan plan)
    {
        foreach (var nodule in plan.Nodules)
        {
            var reach = nodule.Radius * 1.3;
            ForEachPixel(layers, nodule.X - reach, nodule.Y - reach, nodule.X + reach, nodule.Y + reach, (i, x, y) =>
            {
                var dx = x - nodule.X;
                var dy = y - nodule.Y;
                var angle = Math.Atan2(dy, dx);
                var radius = nodule.Radius * (1 + nodule.Lobulation * Math.Sin(3 * angle + nodule.Phase) + 0.5 * nodule.Lobulation * Math.Sin(5 * angle + 2 * nodule.Phase));
                var t = Chord(radius, Math.Sqrt(dx * dx + dy * dy));
                // Denser than soft tissue (a calcified granuloma's density): deliberately conspicuous, so that the demonstration
                // model, trained in minutes on two cores, learns nodules as it learns the larger findings.
                layers.Attenuation[i] += (float)(0.06 * t);
            });
        }
    }

    private static void DrawSkeleton(ChestLayers layers, ChestGeometry g, ProjectionView view, PhantomRandom rng)
    {
        var a = g.Anatomy;
        DrawSpine(layers, g);
        // Posterior ribs leave the spine almost level and fall laterally; anterior ribs run from the lateral end down
        // towards the sternum and fade into cartilage medially.
        var y0 = a.ApexY - 6 * a.Scale;
        for (var k = 0; k < 11; k++)
        {
            var atSpine = y0 + k * a.RibSpacing * (0.85 + 0.025 * k);
            var width = Math.Min(a.RibWidth * (0.75 + 0.05 * k), 13.5 * a.Scale);
            var jitter = rng.Normal(0, 1.5);
            foreach (var side in new[] { -1, 1 })
            {
                var lateral = 1.04 * g.W;
                double Posterior(double u) => atSpine + jitter - 12 * a.Scale * (u / g.W) + 46 * a.Scale * Math.Pow(u / g.W, 2.6);
                DrawCurve(layers, side, 14 * a.Scale, lateral, Posterior, _ => width, _ => Bone);
                var end = Posterior(g.W);
                double Anterior(double u) => end + 58 * a.Scale * Math.Pow(Math.Max(0, (g.W - u) / g.W), 1.15);
                DrawCurve(layers, side, 0.3 * g.W, g.W, Anterior, _ => width * 1.15, u => 0.55 * Bone * Smoothstep(0.32 * g.W, 0.5 * g.W, u));
            }
        }
        // Clavicles: an S-curve from the sternal end up to the acromion; projected higher on AP views.
        var lift = view == ProjectionView.AP ? 18 * a.Scale : 0;
        foreach (var side in new[] { -1, 1 })
        {
            var medialY = a.ApexY + 22 * a.Scale - lift;
            var lateralY = a.ApexY - 14 * a.Scale - lift;
            var start = 20 * a.Scale;
            var stop = g.W + 28 * a.Scale;
            double Clavicle(double u)
            {
                var t = (u - start) / (stop - start);
                return medialY + (lateralY - medialY) * t + 7 * a.Scale * Math.Sin(2 * Math.PI * t);
            }
            DrawCurve(layers, side, start, stop, Clavicle, u => 15 * a.Scale - 4 * a.Scale * (u - start) / (stop - start), _ => 1.15 * Bone);

            // Humeral head.
            var hx = side * (g.W + 50 * a.Scale);
            var hy = a.ApexY + 10 * a.Scale;
            var hr = 25 * a.Scale;
            ForEachPixel(layers, hx - hr, hy - hr, hx + hr, hy + hr, (i, x, y) =>
                layers.Attenuation[i] += (float)(Bone * BoneChord(hr, Math.Sqrt((x - hx) * (x - hx) + (y - hy) * (y - hy)))));

            if (view == ProjectionView.AP)
            {
                // Scapula's lateral border over the upper lung.
                var top = a.ApexY + 15 * a.Scale;
                var bottom = top + 150 * a.Scale;
                double Scapula(double yy) => (0.93 - 0.14 * (yy - top) / (bottom - top)) * g.W;
                DrawVerticalBand(layers, side, top, bottom, Scapula, 9 * a.Scale, 0.6 * Bone);
            }
        }
    }

    private static void DrawSpine(ChestLayers layers, ChestGeometry g)
    {
        var a = g.Anatomy;
        var n = layers.Size;
        var halfWidth = 22 * a.Scale;
        var period = 27 * a.Scale;
        for (var r = 0; r < n; r++)
        {
            var y = layers.Y(r);
            // Vertebrae grow downwards a little.
            var phase = (y - a.ApexY + 10 * period) / period;
            phase -= Math.Floor(phase);
            var inBody = phase < 0.78 ? Smoothstep(0, 0.06, phase) * Smoothstep(0.78, 0.72, phase) : 0;
            var w = halfWidth * (1 + 0.15 * Clamp01((y - a.ApexY) / 300));
            var centre = a.SpineShift;
            var c0 = Math.Max(0, (int)((centre - w - 20) / layers.Spacing + n / 2.0));
            var c1 = Math.Min(n - 1, (int)((centre + w + 20) / layers.Spacing + n / 2.0));
            for (var c = c0; c <= c1; c++)
            {
                var dx = layers.X(c) - centre;
                var t = 0.006 * Chord(w, dx) * (0.3 + 0.7 * inBody);
                // Pedicles: two small rings in the upper half of each body.
                foreach (var px in new[] { -0.7 * w, 0.7 * w })
                {
                    var ex = (dx - px) / (5 * a.Scale);
                    var ey = (phase - 0.3) * period / (7 * a.Scale);
                    var e = ex * ex + ey * ey;
                    if (e < 1)
                    {
                        t += Bone * 2.5 * a.Scale * Math.Sqrt(1 - e) * (e > 0.4 ? 1 : 0.5);
                    }
                }
                layers.Attenuation[r * n + c] += (float)t;
            }
        }
    }

    /// <summary>Draws a bone band whose centreline is y = f(u) for u = |x| in [u0, u1] on one side, with a tube
    /// profile across the band (distance measured perpendicular to the centreline).</summary>
    private static void DrawCurve(ChestLayers layers, int side, double u0, double u1, Func<double, double> centre,
        Func<double, double> width, Func<double, double> density)
    {
        var n = layers.Size;
        var s = layers.Spacing;
        var cStart = (int)Math.Floor((side * (side < 0 ? u1 : u0)) / s + n / 2.0);
        var cEnd = (int)Math.Ceiling((side * (side < 0 ? u0 : u1)) / s + n / 2.0);
        for (var c = Math.Max(0, cStart); c <= Math.Min(n - 1, cEnd); c++)
        {
            var u = Math.Abs(layers.X(c));
            if (u < u0 || u > u1)
            {
                continue;
            }
            var yc = centre(u);
            var slope = (centre(u + 0.5) - centre(u - 0.5)) / 1.0;
            var cosine = 1 / Math.Sqrt(1 + slope * slope);
            var radius = width(u) / 2;
            var rho = density(u);
            // Fade in and out at the band's ends so no sharp cut-off shows.
            rho *= Smoothstep(u0, u0 + 4, u) * Smoothstep(u1, u1 - 4, u);
            if (rho <= 0)
            {
                continue;
            }
            var reach = radius / cosine;
            var r0 = Math.Max(0, (int)Math.Floor((yc - reach) / s + n / 2.0));
            var r1 = Math.Min(n - 1, (int)Math.Ceiling((yc + reach) / s + n / 2.0));
            for (var r = r0; r <= r1; r++)
            {
                var d = (layers.Y(r) - yc) * cosine;
                layers.Attenuation[r * n + c] += (float)(rho * BoneChord(radius, d));
            }
        }
    }

    /// <summary>A near-vertical bone band x = side * f(y) between two heights.</summary>
    private static void DrawVerticalBand(ChestLayers layers, int side, double y0, double y1, Func<double, double> centre, double width, double density)
    {
        var n = layers.Size;
        var s = layers.Spacing;
        for (var r = Math.Max(0, (int)(y0 / s + n / 2.0)); r <= Math.Min(n - 1, (int)(y1 / s + n / 2.0)); r++)
        {
            var y = layers.Y(r);
            var xc = side * centre(y);
            var fade = Smoothstep(y0, y0 + 10, y) * Smoothstep(y1, y1 - 10, y);
            for (var c = Math.Max(0, (int)((xc - width) / s + n / 2.0)); c <= Math.Min(n - 1, (int)((xc + width) / s + n / 2.0)); c++)
            {
                layers.Attenuation[r * n + c] += (float)(density * fade * BoneChord(width / 2, layers.X(c) - xc));
            }
        }
    }

    /// <summary>Calls <paramref name="draw"/> for every pixel whose centre lies in the box (mm).</summary>
    internal static void ForEachPixel(ChestLayers layers, double x0, double y0, double x1, double y1, Action<int, double, double> draw)
    {
        var n = layers.Size;
        var s = layers.Spacing;
        var c0 = Math.Max(0, (int)Math.Floor(x0 / s + n / 2.0));
        var c1 = Math.Min(n - 1, (int)Math.Ceiling(x1 / s + n / 2.0));
        var r0 = Math.Max(0, (int)Math.Floor(y0 / s + n / 2.0));
        var r1 = Math.Min(n - 1, (int)Math.Ceiling(y1 / s + n / 2.0));
        for (var r = r0; r <= r1; r++)
        {
            var y = layers.Y(r);
            for (var c = c0; c <= c1; c++)
            {
                draw(r * n + c, layers.X(c), y);
            }
        }
    }
}
