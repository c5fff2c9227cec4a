namespace RemoteDx.Core.Results.Delivery;

/// <summary>A clinic's PACS that receives the results of the clinic's studies by C-STORE (RemoteDx:Results:Destinations).
/// <see cref="Key"/> names it in the delivery outbox.</summary>
public sealed record ResultDestination(string Clinic, string AeTitle, string Host, int Port, bool Tls)
{
    public string Key => $"{AeTitle}@{Host}:{Port}";
}

/// <summary>Which destinations a clinic's results go to (one home for the routing rule).</summary>
public sealed class ResultRouting(IReadOnlyList<ResultDestination> destinations)
{
    public IReadOnlyList<ResultDestination> All { get; } = destinations;

    public IReadOnlyList<string> KeysFor(string clinic) =>
        All.Where(d => string.Equals(d.Clinic, clinic, StringComparison.Ordinal)).Select(d => d.Key).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Destinations by key (one entry per key; several clinics may share a PACS).</summary>
    public IReadOnlyList<ResultDestination> Distinct() => All.GroupBy(d => d.Key, StringComparer.Ordinal).Select(g => g.First()).ToList();
}
