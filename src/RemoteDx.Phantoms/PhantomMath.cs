namespace RemoteDx.Phantoms;

/// <summary>Small shape functions shared by the phantom renderers.</summary>
internal static class PhantomMath
{
    public static double Clamp01(double x) => x < 0 ? 0 : x > 1 ? 1 : x;

    public static double Smoothstep(double edge0, double edge1, double x)
    {
        var t = Clamp01((x - edge0) / (edge1 - edge0));
        return t * t * (3 - 2 * t);
    }

    /// <summary>Projected thickness near a rounded edge: rises like a cylinder's chord, sqrt(d / length), to 1.</summary>
    public static double EdgeRamp(double distance, double length) => distance <= 0 ? 0 : distance >= length ? 1 : Math.Sqrt(distance / length);

    /// <summary>Chord length through a disc of radius r at distance d from its centre.</summary>
    public static double Chord(double r, double d)
    {
        var q = r * r - d * d;
        return q > 0 ? 2 * Math.Sqrt(q) : 0;
    }

    /// <summary>Chord through a bone tube: dense cortex, lighter marrow.</summary>
    public static double BoneChord(double r, double d) => Chord(r, d) - 0.65 * Chord(0.6 * r, d);
}
