using static RemoteDx.Phantoms.PhantomMath;

namespace RemoteDx.Phantoms;

/// <summary>Where and how large each finding of a case is drawn, chosen once per case from its severities.</summary>
internal sealed class FindingPlan
{
    public List<NoduleShape> Nodules { get; } = [];

    /// <summary>Consolidation: overlapping Gaussian blobs thresholded softly, replacing air with fluid.</summary>
    public List<(double X, double Y, double R)> ConsolidationBlobs { get; } = [];

    public double ConsolidationDensity { get; private set; }

    /// <summary>Lower edge of a lobar consolidation bounded by a fissure (NaN when none).</summary>
    public double FissureY { get; private set; } = double.NaN;

    public int ConsolidationSide { get; private set; }

    /// <summary>Effusion fluid height above the costophrenic angle, per side (index 0 right, 1 left; 0 = none).</summary>
    public double[] EffusionHeight { get; } = new double[2];

    public double[] EffusionMeniscus { get; } = new double[2];

    public double EffusionHaze { get; private set; }

    public int PneumothoraxSide { get; private set; }

    public double PneumothoraxRim { get; private set; }

    public double PneumothoraxTaper { get; private set; }

    private (double X0, double Y0, double X1, double Y1) _consolidationBox;
    private ValueNoise? _patchiness;

    public static FindingPlan Sample(ChestGeometry g, PhantomFindings findings, ProjectionView view, PhantomRandom rng)
    {
        var plan = new FindingPlan();
        var a = g.Anatomy;
        if (findings[Finding.Nodule] is var ns and > 0)
        {
            var (count, r0, r1) = ns switch
            {
                1 => (rng.Next(1, 3), 8.0, 11.0),
                2 => (rng.Next(1, 3), 11.0, 15.0),
                _ => (1, 16.0, 25.0),
            };
            for (var k = 0; k < count; k++)
            {
                var radius = rng.Uniform(r0, r1) * a.Scale;
                var (x, y, _) = PointInLung(g, rng, radius + 6, 0.12, 0.85);
                plan.Nodules.Add(new NoduleShape(x, y, radius, ns == 3 ? rng.Uniform(0.05, 0.14) : rng.Uniform(0, 0.06), rng.Uniform(0, 2 * Math.PI)));
            }
        }
        if (findings[Finding.Consolidation] is var cs and > 0)
        {
            var (blobs, radius, spread) = cs switch
            {
                1 => (3, 17.0, 16.0),
                2 => (4, 25.0, 26.0),
                _ => (6, 32.0, 40.0),
            };
            var (cx, cy, side) = PointInLung(g, rng, 10, 0.3, 0.85);
            plan.ConsolidationSide = side;
            plan.ConsolidationDensity = cs switch { 1 => rng.Uniform(0.45, 0.6), 2 => rng.Uniform(0.55, 0.75), _ => rng.Uniform(0.7, 0.9) };
            for (var k = 0; k < blobs; k++)
            {
                plan.ConsolidationBlobs.Add((cx + rng.Normal(0, spread) * a.Scale, cy + rng.Normal(0, spread) * a.Scale, radius * a.Scale * rng.Uniform(0.8, 1.2)));
            }
            if (cs == 3 && side < 0 && cy < g.HilumY && rng.Chance(0.6))
            {
                // Right upper lobe bounded below by the horizontal fissure.
                plan.FissureY = g.HilumY + rng.Uniform(-5, 10);
            }
            var reach = 3 * radius * a.Scale;
            plan._consolidationBox = (plan.ConsolidationBlobs.Min(b => b.X) - reach, plan.ConsolidationBlobs.Min(b => b.Y) - reach,
                plan.ConsolidationBlobs.Max(b => b.X) + reach, plan.ConsolidationBlobs.Max(b => b.Y) + reach);
            plan._patchiness = new ValueNoise(rng, 450, 9);
        }
        if (findings[Finding.Effusion] is var es and > 0)
        {
            var bilateral = rng.Chance(es == 3 ? 0.4 : 0.25);
            var first = rng.Chance(0.5) ? 0 : 1;
            foreach (var s in bilateral ? new[] { 0, 1 } : [first])
            {
                var height = es switch { 1 => rng.Uniform(14, 24), 2 => rng.Uniform(38, 65), _ => rng.Uniform(85, 140) } * a.Scale;
                plan.EffusionHeight[s] = s == first || !bilateral ? height : height * rng.Uniform(0.5, 0.9);
                plan.EffusionMeniscus[s] = rng.Uniform(14, 26) * a.Scale;
            }
            plan.EffusionHaze = view == ProjectionView.AP ? rng.Uniform(0.1, 0.25) * es / 3.0 : 0;
        }
        if (findings[Finding.Pneumothorax] is var ps and > 0)
        {
            plan.PneumothoraxSide = rng.Chance(0.5) ? -1 : 1;
            plan.PneumothoraxRim = ps switch { 1 => rng.Uniform(12, 18), 2 => rng.Uniform(22, 36), _ => rng.Uniform(42, 62) } * a.Scale;
            // Upright films: pleural air collects at the apex; a large one wraps the whole lung.
            plan.PneumothoraxTaper = ps == 3 ? rng.Uniform(0.2, 0.4) : rng.Uniform(0.5, 0.7);
        }
        return plan;
    }

    /// <summary>A point inside a lung, clear of its borders and of the heart; v limits its height (0 apex, 1 base).</summary>
    private static (double X, double Y, int Side) PointInLung(ChestGeometry g, PhantomRandom rng, double margin, double vMin, double vMax)
    {
        for (var attempt = 0; ; attempt++)
        {
            var side = rng.Chance(0.5) ? -1 : 1;
            var v = rng.Uniform(vMin, vMax);
            var cp = g.CostophrenicY(side);
            var y = g.Anatomy.ApexY + v * (cp - g.Anatomy.ApexY);
            var lo = g.MedialBorder(y, side) + margin;
            var hi = g.LateralBorder(y, side) - margin;
            if (hi <= lo)
            {
                continue;
            }
            var x = side * rng.Uniform(lo, hi);
            var ok = g.InLung(x, y, out _, out var dLat, out var dMed, out var dTop, out var dBot)
                && Math.Min(Math.Min(dLat, dMed), Math.Min(dTop, dBot)) > margin
                && g.HeartRadius2(x, y) > 1.25;
            if (ok || attempt > 500)
            {
                return (x, y, side);
            }
        }
    }

    /// <summary>Share of the lung's air left at a point after consolidation and effusion (1 when neither), whether the
    /// point lies in pleural air, and the visceral pleural line's attenuation.</summary>
    public double AirFraction(ChestGeometry g, double x, double y, int side, double v, double dLat, double dTop,
        out bool pneumothorax, out double pleuralLine)
    {
        var air = 1.0;
        if (ConsolidationBlobs.Count > 0 && side == ConsolidationSide
            && x > _consolidationBox.X0 && x < _consolidationBox.X1 && y > _consolidationBox.Y0 && y < _consolidationBox.Y1)
        {
            var field = 0.0;
            foreach (var (bx, by, br) in ConsolidationBlobs)
            {
                var d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (br * br);
                field += Math.Exp(-d2);
            }
            var f = Smoothstep(0.3, 0.75, field + 0.15 * _patchiness!.At(x, y));
            if (!double.IsNaN(FissureY))
            {
                f *= Smoothstep(FissureY + 1.5, FissureY - 1.5, y);
            }
            air *= 1 - ConsolidationDensity * f;
        }
        var s = side < 0 ? 0 : 1;
        if (EffusionHeight[s] > 0)
        {
            var u = Math.Abs(x);
            var t = Clamp01((u - 0.25 * g.W) / (0.75 * g.W));
            var top = g.CostophrenicY(side) - EffusionHeight[s] - EffusionMeniscus[s] * t * t;
            var f = Smoothstep(top - 4, top + 10, y);
            air *= 1 - 0.97 * f;
            if (EffusionHaze > 0)
            {
                air *= 1 - EffusionHaze * v;
            }
        }
        pneumothorax = false;
        pleuralLine = 0;
        if (PneumothoraxSide == side)
        {
            var rim = PneumothoraxRim * (1 - PneumothoraxTaper * v);
            var distance = Math.Min(dLat, 0.9 * dTop);
            pneumothorax = distance < rim && v < 0.97;
            var k = (distance - rim) / 0.8;
            pleuralLine = v < 0.97 ? 0.06 * Math.Exp(-k * k) : 0;
        }
        return air;
    }
}

internal sealed record NoduleShape(double X, double Y, double Radius, double Lobulation, double Phase);
