using RemoteDx.Core.Results.Delivery;

namespace RemoteDx.Hosting;

/// <summary>One entry of RemoteDx:Results:Destinations: the PACS that receives a clinic's results.</summary>
public sealed class ResultDestinationOptions
{
    /// <summary>The clinic (the study owner, docs/configuration.md "AllowedCallingAEs" Clinic) whose results go here.</summary>
    public string Clinic { get; set; } = "";

    /// <summary>Called AE title of the PACS.</summary>
    public string AeTitle { get; set; } = "";

    public string Host { get; set; } = "";

    public int Port { get; set; } = 104;

    /// <summary>DICOM over TLS (PS3.15 B.9), the server certificate checked against the system store.</summary>
    public bool Tls { get; set; }
}

/// <summary>RemoteDx:Results — the result objects (SR, heatmap images) and their delivery to clinics' PACS.</summary>
public sealed class ResultsOptions
{
    /// <summary>Write the SR and heatmap images of scored studies (and the verified SR after review).</summary>
    public bool Enabled { get; set; } = true;

    public List<ResultDestinationOptions> Destinations { get; set; } = [];

    /// <summary>Verifying Organization of the verified SR.</summary>
    public string VerifyingOrganization { get; set; } = "RemoteDx";

    public int MaxAttempts { get; set; } = 20;

    public double RetryBaseSeconds { get; set; } = 5;

    public double RetryMaxSeconds { get; set; } = 1800;

    /// <summary>Connect, association and DIMSE timeout towards a destination.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>How often the writer looks for due studies and the sender for due deliveries.</summary>
    public double PollSeconds { get; set; } = 1;

    public IReadOnlyList<ResultDestination> ToDestinations() =>
        Destinations.Select(d => new ResultDestination(d.Clinic.Trim(), d.AeTitle.Trim(), d.Host.Trim(), d.Port, d.Tls)).ToList();

    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < Destinations.Count; i++)
        {
            var d = Destinations[i];
            var name = $"RemoteDx:Results:Destinations:{i}";
            if (string.IsNullOrWhiteSpace(d.Clinic))
            {
                yield return $"{name}:Clinic must be set";
            }
            if (d.AeTitle.Trim().Length is 0 or > 16 || d.AeTitle.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
            {
                yield return $"{name}:AeTitle '{d.AeTitle}' must be 1-16 printable characters without backslash";
            }
            if (string.IsNullOrWhiteSpace(d.Host))
            {
                yield return $"{name}:Host must be set";
            }
            if (d.Port is < 1 or > 65535)
            {
                yield return $"{name}:Port {d.Port} is not a TCP port";
            }
        }
        foreach (var dup in Destinations.GroupBy(d => (d.Clinic.Trim(), d.AeTitle.Trim(), d.Host.Trim(), d.Port)).Where(g => g.Count() > 1))
        {
            yield return $"RemoteDx:Results:Destinations lists {dup.Key.Item2}@{dup.Key.Item3}:{dup.Key.Item4} twice for clinic {dup.Key.Item1}";
        }
        if (MaxAttempts < 1)
        {
            yield return "RemoteDx:Results:MaxAttempts must be at least 1";
        }
        if (RetryBaseSeconds < 0 || RetryMaxSeconds < RetryBaseSeconds)
        {
            yield return "RemoteDx:Results:RetryBaseSeconds must be >= 0 and RetryMaxSeconds >= RetryBaseSeconds";
        }
        if (TimeoutSeconds <= 0)
        {
            yield return "RemoteDx:Results:TimeoutSeconds must be positive";
        }
        if (PollSeconds is <= 0 or > 60)
        {
            yield return "RemoteDx:Results:PollSeconds must be in (0, 60]";
        }
    }
}
