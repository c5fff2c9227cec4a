namespace RemoteDx.Phantoms;

/// <summary>The outlines derived from a <see cref="ChestAnatomy"/>: lung borders, diaphragm domes, mediastinum and the
/// cardiac ellipse. Side -1 is the patient's right lung (image left), +1 the left lung; u is the distance from the
/// midline.</summary>
internal sealed class ChestGeometry
{
    private readonly double _cos, _sin;

    public ChestGeometry(ChestAnatomy anatomy)
    {
        Anatomy = anatomy;
        W = anatomy.HalfWidth;
        HeartHalfWidth = anatomy.CardiothoracicRatio * W;
        _cos = Math.Cos(anatomy.HeartTilt);
        _sin = Math.Sin(anatomy.HeartTilt);
        var rho = anatomy.HeartRoundness;
        HeartA = HeartHalfWidth / Math.Sqrt(_cos * _cos + rho * rho * _sin * _sin);
        HeartB = rho * HeartA;
        var halfHeight = Math.Sqrt(HeartA * HeartA * _sin * _sin + HeartB * HeartB * _cos * _cos);
        HeartX = HeartHalfWidth * (1 - 2 * anatomy.HeartRightShare);
        HeartY = DomeY(Math.Max(HeartX, 0) + 0.3 * HeartHalfWidth, 1) + 12 * anatomy.Scale - halfHeight;
        HilumY = anatomy.ApexY + 0.47 * (anatomy.CostophrenicY - anatomy.ApexY);
    }

    public ChestAnatomy Anatomy { get; }

    public double W { get; }

    public double HeartHalfWidth { get; }

    public double HeartA { get; }

    public double HeartB { get; }

    public double HeartX { get; }

    public double HeartY { get; }

    public double HilumY { get; }

    public double CostophrenicY(int side) => side < 0 ? Anatomy.CostophrenicY - Anatomy.RightDomeRaise : Anatomy.CostophrenicY;

    /// <summary>0 at the apex, 1 at the costophrenic angle.</summary>
    public double V(double y, int side) => (y - Anatomy.ApexY) / (CostophrenicY(side) - Anatomy.ApexY);

    public double LateralBorder(double y, int side)
    {
        var v = V(y, side);
        var g = 0.80 + 0.20 * Math.Sin(Math.Min(Math.Max(v, 0) / 0.72, 1) * Math.PI / 2) - 0.04 * Math.Max(0, v - 0.85) / 0.15;
        return W * g;
    }

    /// <summary>Upper border of the lung (the apical dome).</summary>
    public double ApexCurve(double u)
    {
        var t = (u - 0.52 * W) / (0.5 * W);
        return Anatomy.ApexY + 75 * Anatomy.Scale * t * t;
    }

    public double MedialBorder(double y, int side)
    {
        var v = V(y, side);
        var m = Anatomy.MediastinumHalfWidth * (0.9 + 0.25 * Math.Clamp(v, 0, 1));
        if (side > 0)
        {
            var k = (v - 0.2) / 0.07;
            m += Anatomy.AorticKnob * Math.Exp(-k * k);
        }
        else
        {
            var k = (v - 0.3) / 0.1;
            m += 5 * Anatomy.Scale * Math.Exp(-k * k);
        }
        return m;
    }

    public double DomeY(double u, int side)
    {
        var peakU = 0.42 * W;
        var d = Anatomy.DomeHeight;
        var peak = CostophrenicY(side) - d;
        if (u >= peakU)
        {
            var t = (u - peakU) / (W - peakU);
            return peak + d * t * t;
        }
        var s = (peakU - u) / peakU;
        return peak + 0.5 * d * s * s;
    }

    /// <summary>Squared normalised radius in the cardiac ellipse (below 1 inside).</summary>
    public double HeartRadius2(double x, double y)
    {
        var dx = x - HeartX;
        var dy = y - HeartY;
        var xr = dx * _cos + dy * _sin;
        var yr = -dx * _sin + dy * _cos;
        return xr * xr / (HeartA * HeartA) + yr * yr / (HeartB * HeartB);
    }

    public bool InThorax(double x, double y)
    {
        var side = x < 0 ? -1 : 1;
        var u = Math.Abs(x);
        return u < LateralBorder(y, side) && y > ApexCurve(Math.Max(u, 0.52 * W)) && y < DomeY(u, side);
    }

    /// <summary>Whether (x, y) lies in a lung field (ignoring the heart), and how far it is from each border.</summary>
    public bool InLung(double x, double y, out int side, out double dLateral, out double dMedial, out double dTop, out double dBottom)
    {
        side = x < 0 ? -1 : 1;
        var u = Math.Abs(x);
        dLateral = LateralBorder(y, side) - u;
        dMedial = u - MedialBorder(y, side);
        dTop = y - ApexCurve(u);
        dBottom = DomeY(u, side) - y;
        return dLateral > 0 && dMedial > 0 && dTop > 0 && dBottom > 0;
    }
}
