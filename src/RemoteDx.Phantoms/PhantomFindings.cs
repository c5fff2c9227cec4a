namespace RemoteDx.Phantoms;

/// <summary>Which findings a case has and how severe each is: 0 absent, 1 mild, 2 moderate, 3 severe.</summary>
public sealed record PhantomFindings
{
    private readonly int[] _severity = new int[PhantomLabels.Count];

    public static PhantomFindings None { get; } = new();

    public int this[Finding finding] => _severity[(int)finding];

    public bool Has(Finding finding) => _severity[(int)finding] > 0;

    public bool Any => _severity.Any(s => s > 0);

    public PhantomFindings With(Finding finding, int severity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(severity, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(severity, 3);
        var copy = new PhantomFindings();
        _severity.CopyTo(copy._severity, 0);
        copy._severity[(int)finding] = severity;
        return copy;
    }

    /// <summary>Draws a case: with probability <paramref name="findingsRate"/> it is abnormal, with one finding
    /// (60 %), two (30 %) or three (10 %) distinct ones, each mild, moderate or severe with equal odds.</summary>
    public static PhantomFindings Sample(PhantomRandom rng, double findingsRate)
    {
        var result = new PhantomFindings();
        if (!rng.Chance(findingsRate))
        {
            return result;
        }
        var u = rng.NextDouble();
        var count = u < 0.6 ? 1 : u < 0.9 ? 2 : 3;
        var chosen = new List<int>();
        while (chosen.Count < count)
        {
            var f = rng.Next(0, PhantomLabels.Count);
            if (!chosen.Contains(f))
            {
                chosen.Add(f);
            }
        }
        foreach (var f in chosen)
        {
            result._severity[f] = rng.Next(1, 4);
        }
        return result;
    }

    public bool Equals(PhantomFindings? other) => other is not null && _severity.AsSpan().SequenceEqual(other._severity);

    public override int GetHashCode() => HashCode.Combine(_severity[0], _severity[1], _severity[2], _severity[3], _severity[4]);

    public override string ToString() => Any
        ? string.Join(", ", Enumerable.Range(0, PhantomLabels.Count).Where(i => _severity[i] > 0)
            .Select(i => $"{PhantomLabels.Names[i]} ({SeverityName(_severity[i])})"))
        : "normal";

    public static string SeverityName(int severity) => severity switch
    {
        0 => "absent",
        1 => "mild",
        2 => "moderate",
        _ => "severe",
    };
}
