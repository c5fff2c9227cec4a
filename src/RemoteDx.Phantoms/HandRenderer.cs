using static RemoteDx.Phantoms.PhantomMath;

namespace RemoteDx.Phantoms;

/// <summary>A PA radiograph of a right hand: soft tissue of palm, fingers and forearm; metacarpals, phalanges, carpal
/// bones, radius and ulna. Fingers point up; the thumb is on the image left.</summary>
public static class HandRenderer
{
    private const double Tissue = 0.020;
    private const double Bone = 0.04;

    public static float[] Render(int size, double fieldOfViewMm, PhantomRandom rng)
    {
        var mu = new float[size * size];
        var spacing = fieldOfViewMm / size;
        var k = rng.Uniform(0.9, 1.1);
        var lengths = new[] { 64.0, 74, 70, 56 };
        // Palm and forearm soft tissue.
        Capsule(mu, size, spacing, 0, 10 * k, 0, 60 * k, 40 * k, Tissue, soft: true);
        Capsule(mu, size, spacing, 0, 70 * k, 0, 140 * k, 32 * k, Tissue, soft: true);
        for (var f = 0; f < 4; f++)
        {
            var bx = (-27 + 18 * f) * k;
            var angle = (-8 + 5.5 * f + rng.Normal(0, 1.5)) * Math.PI / 180;
            var dx = Math.Sin(angle);
            var dy = -Math.Cos(angle);
            var length = lengths[f] * k;
            var baseY = -10 * k;
            Capsule(mu, size, spacing, bx, baseY, bx + dx * length, baseY + dy * length, 8.5 * k, Tissue, soft: true);
            // Metacarpal from the carpus to the knuckle, then proximal, middle and distal phalanges.
            Capsule(mu, size, spacing, bx * 0.55, 62 * k, bx, baseY + 4 * k, 4.2 * k, Bone, soft: false);
            var at = 0.0;
            foreach (var (share, radius) in new[] { (0.42, 4.0), (0.30, 3.4), (0.22, 3.0) })
            {
                var s = at + 0.02;
                var e = at + share;
                Capsule(mu, size, spacing, bx + dx * length * s, baseY + dy * length * s, bx + dx * length * e, baseY + dy * length * e,
                    radius * k, Bone, soft: false);
                at = e + 0.02;
            }
        }
        // Thumb: from the trapezium up and out to the left.
        var ta = -40 * Math.PI / 180;
        var tx = -34 * k;
        var ty = 48 * k;
        var tl = 70 * k;
        Capsule(mu, size, spacing, tx, ty, tx + Math.Sin(ta) * tl, ty - Math.Cos(ta) * tl, 10 * k, Tissue, soft: true);
        var pos = 0.0;
        foreach (var (share, radius) in new[] { (0.42, 4.4), (0.30, 3.8), (0.22, 3.2) })
        {
            var s = pos + 0.03;
            var e = pos + share;
            Capsule(mu, size, spacing, tx + Math.Sin(ta) * tl * s, ty - Math.Cos(ta) * tl * s, tx + Math.Sin(ta) * tl * e, ty - Math.Cos(ta) * tl * e,
                radius * k, Bone, soft: false);
            pos = e + 0.02;
        }
        // Carpus: two rows of small bones.
        for (var row = 0; row < 2; row++)
        {
            for (var b = 0; b < 4; b++)
            {
                var cx = (-18 + 12 * b + rng.Normal(0, 1)) * k;
                var cy = (66 + 12 * row + rng.Normal(0, 1)) * k;
                Capsule(mu, size, spacing, cx, cy, cx + 1, cy, 5.5 * k, Bone, soft: false);
            }
        }
        // Radius and ulna.
        Capsule(mu, size, spacing, -11 * k, 92 * k, -9 * k, 200 * k, 9 * k, Bone, soft: false);
        Capsule(mu, size, spacing, 14 * k, 94 * k, 12 * k, 200 * k, 6 * k, Bone, soft: false);
        return mu;
    }

    /// <summary>Adds a capsule (a cylinder from one point to another with rounded ends) seen side on: soft tissue as a
    /// solid chord, bone as a cortical tube.</summary>
    private static void Capsule(float[] mu, int n, double spacing, double x0, double y0, double x1, double y1, double radius,
        double density, bool soft)
    {
        var vx = x1 - x0;
        var vy = y1 - y0;
        var len2 = Math.Max(vx * vx + vy * vy, 1e-9);
        var half = n / 2.0;
        var c0 = Math.Max(0, (int)((Math.Min(x0, x1) - radius) / spacing + half));
        var c1 = Math.Min(n - 1, (int)((Math.Max(x0, x1) + radius) / spacing + half) + 1);
        var r0 = Math.Max(0, (int)((Math.Min(y0, y1) - radius) / spacing + half));
        var r1 = Math.Min(n - 1, (int)((Math.Max(y0, y1) + radius) / spacing + half) + 1);
        for (var r = r0; r <= r1; r++)
        {
            var y = (r + 0.5 - half) * spacing;
            for (var c = c0; c <= c1; c++)
            {
                var x = (c + 0.5 - half) * spacing;
                var t = Math.Clamp(((x - x0) * vx + (y - y0) * vy) / len2, 0, 1);
                var px = x0 + t * vx - x;
                var py = y0 + t * vy - y;
                var d = Math.Sqrt(px * px + py * py);
                var chord = soft ? Chord(radius, d) : BoneChord(radius, d);
                if (soft)
                {
                    // Overlapping soft tissue does not add up: keep the thicker.
                    var v = (float)(density * chord);
                    if (v > mu[r * n + c])
                    {
                        mu[r * n + c] = v;
                    }
                }
                else
                {
                    mu[r * n + c] += (float)(density * chord);
                }
            }
        }
    }
}
