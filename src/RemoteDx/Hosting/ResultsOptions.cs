using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

    /// <summary>DICOM over TLS (PS3.15 B.9); the PACS certificate is checked against <see cref="TrustedCa"/>, or the
    /// system store when that is empty.</summary>
    public bool Tls { get; set; }

    /// <summary>PEM file of the CA(s) that signed the PACS certificate; when set, only these are trusted for this destination.</summary>
    public string? TrustedCa { get; set; }

    /// <summary>PEM certificate presented to the PACS (mutual TLS); goes with <see cref="ClientKey"/>.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificate"/>.</summary>
    public string? ClientKey { get; set; }

    /// <summary>Name checked in the PACS certificate; empty = <see cref="Host"/>.</summary>
    public string? ServerName { get; set; }

    internal ResultDestination ToDestination() => new(Clinic.Trim(), AeTitle.Trim(), Host.Trim(), Port, Tls)
    {
        TrustedCa = Blank(TrustedCa) is { } ca ? LoadCa(ca) : null,
        ClientCertificate = Blank(ClientCertificate) is { } cert && Blank(ClientKey) is { } key ? X509Certificate2.CreateFromPemFile(cert, key) : null,
        ServerName = Blank(ServerName),
    };

    /// <summary>The TLS keys' problems, each naming the key (<paramref name="name"/> is the entry's configuration path).</summary>
    internal IEnumerable<string> ValidateTls(string name)
    {
        var ca = Blank(TrustedCa);
        var cert = Blank(ClientCertificate);
        var key = Blank(ClientKey);
        if (!Tls && (ca ?? cert ?? key ?? Blank(ServerName)) is not null)
        {
            yield return $"{name}: TrustedCa, ClientCertificate, ClientKey and ServerName need Tls: true (results are never sent in clear to a destination configured for TLS)";
        }
        if ((cert is null) != (key is null))
        {
            yield return $"{name}:ClientCertificate and ClientKey (PEM files) go together";
        }
        if (ca is not null)
        {
            if (!File.Exists(ca))
            {
                yield return $"{name}:TrustedCa '{ca}' not found";
            }
            else if (Try(() => LoadCa(ca)) is { } error)
            {
                yield return $"{name}:TrustedCa '{ca}' is not a PEM file of CA certificates: {error}";
            }
        }
        foreach (var (label, path) in new[] { ("ClientCertificate", cert), ("ClientKey", key) })
        {
            if (path is not null && !File.Exists(path))
            {
                yield return $"{name}:{label} '{path}' not found";
            }
        }
        if (cert is not null && key is not null && File.Exists(cert) && File.Exists(key)
            && Try(() => X509Certificate2.CreateFromPemFile(cert, key).Dispose()) is { } loadError)
        {
            yield return $"{name}:ClientCertificate '{cert}' with ClientKey '{key}' does not load: {loadError}";
        }
    }

    private static X509Certificate2Collection LoadCa(string path)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(path);
        // An empty collection would mean "the system store" to the client: refuse it instead.
        return trusted.Count > 0 ? trusted : throw new CryptographicException("no CERTIFICATE block");
    }

    private static string? Try(Action load)
    {
        try
        {
            load();
            return null;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return ex.Message.ReplaceLineEndings(" ");
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
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
        Destinations.Select(d => d.ToDestination()).ToList();

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
            foreach (var error in d.ValidateTls(name))
            {
                yield return error;
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
