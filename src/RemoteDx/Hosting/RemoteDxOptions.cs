namespace RemoteDx.Hosting;

/// <summary>The "RemoteDx" configuration section (appsettings.json, RemoteDx__* environment variables, flags).</summary>
public sealed class RemoteDxOptions
{
    public const string Section = "RemoteDx";

    public string DataDirectory { get; set; } = "./data";

    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    public DicomListenerOptions Dicom { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    public ScoringOptions Scoring { get; set; } = new();

    public WorklistOptions Worklist { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    public SecurityOptions Security { get; set; } = new();

    /// <summary>Start-up validation: every problem in one message.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add("RemoteDx:DataDirectory must be set");
        }
        if (!Uri.TryCreate(HttpUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"RemoteDx:HttpUrl '{HttpUrl}' is not an http(s) URL");
        }
        errors.AddRange(Dicom.Validate());
        if (Database.Provider is { Length: > 0 } p && p.Trim().ToLowerInvariant() is not ("sqlite" or "postgresql" or "postgres"))
        {
            errors.Add($"RemoteDx:Database:Provider '{p}' is not sqlite or postgresql");
        }
        errors.AddRange(Scoring.Validate());
        errors.AddRange(Worklist.Validate());
        errors.AddRange(Notifications.Validate());
        errors.AddRange(Security.Validate());
        return errors;
    }
}

public sealed class AllowedPeer
{
    public string AeTitle { get; set; } = "";

    /// <summary>Optional host name or IP address the peer must connect from.</summary>
    public string? Host { get; set; }
}

public sealed class DicomListenerOptions
{
    public string AeTitle { get; set; } = "REMOTEDX";

    public int Port { get; set; } = 11112;

    /// <summary>DICOM TLS port (2762 is the registered one); TLS runs only when a certificate is configured.</summary>
    public int? TlsPort { get; set; } = 2762;

    /// <summary>PEM certificate (chain) for the TLS port.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>PEM private key for <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    public bool RequireClientCertificate { get; set; }

    /// <summary>PEM file of CA certificates client certificates must chain to.</summary>
    public string? TrustedClientCa { get; set; }

    public List<AllowedPeer> AllowedCallingAEs { get; set; } = [];

    public int MaxAssociations { get; set; } = 32;

    public int MaxPduLength { get; set; } = 262144;

    public int AssociationRequestTimeoutSeconds { get; set; } = 30;

    public int IdleTimeoutSeconds { get; set; } = 60;

    public int DimseTimeoutSeconds { get; set; } = 60;

    public long FreeSpaceReserveMB { get; set; } = 1024;

    public IEnumerable<string> Validate()
    {
        if (AeTitle.Length is 0 or > 16 || AeTitle.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
        {
            yield return $"RemoteDx:Dicom:AeTitle '{AeTitle}' must be 1-16 printable characters without backslash";
        }
        if (Port is < 0 or > 65535)
        {
            yield return $"RemoteDx:Dicom:Port {Port} is not a TCP port";
        }
        if (TlsPort is < 0 or > 65535)
        {
            yield return $"RemoteDx:Dicom:TlsPort {TlsPort} is not a TCP port";
        }
        if (string.IsNullOrEmpty(TlsCertificate) != string.IsNullOrEmpty(TlsKey))
        {
            yield return "RemoteDx:Dicom:TlsCertificate and TlsKey (PEM files) go together";
        }
        if (TlsCertificate is { Length: > 0 } cert && !File.Exists(cert))
        {
            yield return $"RemoteDx:Dicom:TlsCertificate '{cert}' not found";
        }
        if (TlsKey is { Length: > 0 } key && !File.Exists(key))
        {
            yield return $"RemoteDx:Dicom:TlsKey '{key}' not found";
        }
        if (RequireClientCertificate && string.IsNullOrEmpty(TlsCertificate))
        {
            yield return "RemoteDx:Dicom:RequireClientCertificate needs TlsCertificate and TlsKey";
        }
        if (MaxAssociations < 1)
        {
            yield return "RemoteDx:Dicom:MaxAssociations must be at least 1";
        }
        if (MaxPduLength is < 4096 or > 16 * 1024 * 1024)
        {
            yield return "RemoteDx:Dicom:MaxPduLength must be between 4096 and 16 MiB";
        }
        if (FreeSpaceReserveMB < 0)
        {
            yield return "RemoteDx:Dicom:FreeSpaceReserveMB must not be negative";
        }
    }
}
