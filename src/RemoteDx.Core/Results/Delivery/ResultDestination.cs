using System.Security.Cryptography.X509Certificates;

namespace RemoteDx.Core.Results.Delivery;

/// <summary>A clinic's PACS that receives the results of the clinic's studies by C-STORE (RemoteDx:Results:Destinations).
/// <see cref="Key"/> names it in the delivery outbox.</summary>
public sealed record ResultDestination(string Clinic, string AeTitle, string Host, int Port, bool Tls)
{
    public string Key => $"{AeTitle}@{Host}:{Port}";

    /// <summary>With <see cref="Tls"/>: the only CA the PACS certificate may chain to; null = the system store.</summary>
    public X509Certificate2Collection? TrustedCa { get; init; }

    /// <summary>With <see cref="Tls"/>: certificate (with its private key) presented to the PACS for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>With <see cref="Tls"/>: the name checked in the PACS certificate; null = <see cref="Host"/>.</summary>
    public string? ServerName { get; init; }
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
