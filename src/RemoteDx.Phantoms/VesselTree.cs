namespace RemoteDx.Phantoms;

/// <summary>Lung markings: pulmonary vessels branching from each hilum towards the periphery, tapering as they go,
/// drawn as cylinders and kept only where the lung holds air (none in pleural air, fewer in consolidation).</summary>
internal static class VesselTree
{
    private const int MaxDepth = 7;

    public static void Draw(ChestLayers layers, ChestGeometry g, PhantomRandom rng, float[] lungAir)
    {
        var a = g.Anatomy;
        var raw = new float[layers.Size * layers.Size];
        foreach (var side in new[] { -1, 1 })
        {
            var hx = side * (g.MedialBorder(g.HilumY, side) + 10 * a.Scale);
            var hy = g.HilumY;
            // The hilum itself: the main pulmonary artery branches and veins, seen as one dense knot.
            Segment(layers, raw, hx - side * 4, hy - 18 * a.Scale, hx + side * 4, hy + 14 * a.Scale, 8 * a.Scale, 6 * a.Scale);
            // Trunks to the apex, the lateral lung and the base (degrees below the horizontal, pointing outwards).
            foreach (var angle in new[] { -70.0, -35.0, 5.0, 40.0, 70.0 })
            {
                var radians = (angle + rng.Normal(0, 6)) * Math.PI / 180;
                Branch(layers, raw, rng, hx, hy, side * Math.Cos(radians), Math.Sin(radians), 5.5 * a.Scale, 32 * a.Scale, 0);
            }
        }
        var vessels = layers.Vessels;
        for (var i = 0; i < raw.Length; i++)
        {
            // Seen only against aerated lung: a vessel's contrast is blood against air.
            var air = lungAir[i];
            vessels[i] = air <= 0 ? 0 : raw[i] * Math.Min(1f, air / 40f);
        }
    }

    private static void Branch(ChestLayers layers, float[] raw, PhantomRandom rng, double x, double y, double dx, double dy,
        double radius, double length, int depth)
    {
        var x1 = x + dx * length;
        var y1 = y + dy * length;
        var endRadius = radius * 0.85;
        Segment(layers, raw, x, y, x1, y1, radius, endRadius);
        if (depth >= MaxDepth || endRadius < 0.45)
        {
            return;
        }
        for (var k = 0; k < 2; k++)
        {
            var turn = (k == 0 ? 1 : -1) * rng.Uniform(15, 38) * Math.PI / 180;
            var c = Math.Cos(turn);
            var s = Math.Sin(turn);
            var ndx = dx * c - dy * s;
            var ndy = dx * s + dy * c;
            Branch(layers, raw, rng, x1, y1, ndx, ndy, endRadius * rng.Uniform(0.68, 0.82), length * rng.Uniform(0.7, 0.88), depth + 1);
        }
    }

    /// <summary>A tapered cylinder from (x0, y0) to (x1, y1): chord length through it at each pixel.</summary>
    private static void Segment(ChestLayers layers, float[] raw, double x0, double y0, double x1, double y1, double r0, double r1)
    {
        var vx = x1 - x0;
        var vy = y1 - y0;
        var len2 = vx * vx + vy * vy;
        var reach = Math.Max(r0, r1);
        ChestRenderer.ForEachPixel(layers, Math.Min(x0, x1) - reach, Math.Min(y0, y1) - reach, Math.Max(x0, x1) + reach, Math.Max(y0, y1) + reach, (i, x, y) =>
        {
            var t = Math.Clamp(((x - x0) * vx + (y - y0) * vy) / len2, 0, 1);
            var px = x0 + t * vx - x;
            var py = y0 + t * vy - y;
            var chord = PhantomMath.Chord(r0 + (r1 - r0) * t, Math.Sqrt(px * px + py * py));
            // Overlapping segments at a joint: keep the thicker, do not add.
            if (chord > raw[i])
            {
                raw[i] = (float)chord;
            }
        });
    }
}
