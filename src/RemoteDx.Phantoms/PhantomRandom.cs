namespace RemoteDx.Phantoms;

/// <summary>A small deterministic generator (xoshiro256**, seeded through SplitMix64) so that a seed gives the same
/// phantom on every run and every .NET version; <see cref="Random"/> makes no such promise across versions.</summary>
public sealed class PhantomRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    public PhantomRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>An independent stream for one purpose of one case: the same (seed, stream) pair always gives the
    /// same numbers, whatever else was drawn before.</summary>
    public static PhantomRandom For(long seed, long stream, string purpose)
    {
        var h = 1469598103934665603UL;
        foreach (var c in purpose)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        var mixed = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)stream * 0xC2B2AE3D27D4EB4FUL ^ h;
        return new PhantomRandom(mixed);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [low, high).</summary>
    public int Next(int low, int high) => low + (int)(NextDouble() * (high - low));

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Marsaglia's polar method).</summary>
    public double Normal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        return u * f;
    }

    public double Normal(double mean, double sd) => mean + sd * Normal();

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];
}
