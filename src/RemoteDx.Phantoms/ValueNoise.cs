namespace RemoteDx.Phantoms;

/// <summary>Smooth random texture in [-1, 1]: random values on a lattice of the given wavelength (mm), blended with
/// smoothstep weights. Used for lung parenchyma and patchy consolidation.</summary>
internal sealed class ValueNoise
{
    private readonly float[] _lattice;
    private readonly int _n;
    private readonly double _wavelength;
    private readonly double _origin;

    public ValueNoise(PhantomRandom rng, double extentMm, double wavelengthMm)
    {
        _wavelength = wavelengthMm;
        _n = (int)Math.Ceiling(extentMm / wavelengthMm) + 3;
        _origin = -extentMm / 2 - wavelengthMm;
        _lattice = new float[_n * _n];
        for (var i = 0; i < _lattice.Length; i++)
        {
            _lattice[i] = (float)(2 * rng.NextDouble() - 1);
        }
    }

    public double At(double x, double y)
    {
        var gx = (x - _origin) / _wavelength;
        var gy = (y - _origin) / _wavelength;
        var ix = Math.Clamp((int)gx, 0, _n - 2);
        var iy = Math.Clamp((int)gy, 0, _n - 2);
        var fx = PhantomMath.Clamp01(gx - ix);
        var fy = PhantomMath.Clamp01(gy - iy);
        fx = fx * fx * (3 - 2 * fx);
        fy = fy * fy * (3 - 2 * fy);
        var i = iy * _n + ix;
        var top = _lattice[i] + (_lattice[i + 1] - _lattice[i]) * fx;
        var bottom = _lattice[i + _n] + (_lattice[i + _n + 1] - _lattice[i + _n]) * fx;
        return top + (bottom - top) * fy;
    }
}
