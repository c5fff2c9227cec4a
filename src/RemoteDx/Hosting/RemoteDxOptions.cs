namespace RemoteDx.Hosting;

/// <summary>The "RemoteDx" configuration section (appsettings.json, RemoteDx__* environment variables, flags).</summary>
public sealed class RemoteDxOptions
{
    public const string Section = "RemoteDx";

    public string DataDirectory { get; set; } = "./data";

    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    public WebOptions Web { get; set; } = new();

    public DicomListenerOptions Dicom { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    public ArchiveOptions Archive { get; set; } = new();

    public ScoringOptions Scoring { get; set; } = new();

    public WorklistOptions Worklist { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    public SecurityOptions Security { get; set; } = new();

    public ResultsOptions Results { get; set; } = new();

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
        else
        {
            errors.AddRange(Web.Validate(uri.Scheme == "https"));
        }
        errors.AddRange(Dicom.Validate());
        if (Database.FreeSpaceReserveMB is < 0)
        {
            errors.Add("RemoteDx:Database:FreeSpaceReserveMB must not be negative");
        }
        errors.AddRange(Archive.Validate());
        if (Database.Provider is { Length: > 0 } p && p.Trim().ToLowerInvariant() is not ("sqlite" or "postgresql" or "postgres"))
        {
            errors.Add($"RemoteDx:Database:Provider '{p}' is not sqlite or postgresql");
        }
        errors.AddRange(Scoring.Validate());
        errors.AddRange(Worklist.Validate());
        errors.AddRange(Notifications.Validate());
        errors.AddRange(Security.Validate());
        errors.AddRange(Results.Validate());
        return errors;
    }
}

public sealed class AllowedPeer
{
    public string AeTitle { get; set; } = "";

    /// <summary>Optional host name or IP address the peer must connect from.</summary>
    public string? Host { get; set; }

    /// <summary>The clinic this AE sends for (study ownership); empty: the AE title itself.</summary>
    public string? Clinic { get; set; }

    /// <summary>TLS client certificate subject (distinguished name or common name) this AE must present.</summary>
    public string? CertificateSubject { get; set; }

    /// <summary>SHA-256 fingerprint (hex, colons allowed) of the TLS client certificate this AE must present.</summary>
    public string? CertificateSha256 { get; set; }
}

public sealed class DicomListenerOptions
{
    public string AeTitle { get; set; } = "REMOTEDX";

    /// <summary>Address both DICOM ports bind; 0.0.0.0 (every interface) by default.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Plain DICOM port; empty/null: none. Not opened while RequireClientCertificate is set unless
    /// <see cref="AllowPlainWithClientCertificates"/>.</summary>
    public int? Port { get; set; } = 11112;

    /// <summary>Open the plain port although client certificates are required (logged as a warning at start-up).</summary>
    public bool AllowPlainWithClientCertificates { get; set; }

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

    /// <summary>Seconds a connection may stay open without an A-ASSOCIATE-RQ (TLS handshake included).</summary>
    public int PendingAssociationTimeoutSeconds { get; set; } = 10;

    /// <summary>Connections without an A-ASSOCIATE-RQ at once (the oldest is closed for a new one).</summary>
    public int MaxPendingConnections { get; set; } = 64;

    /// <summary>The same, per peer IP address.</summary>
    public int MaxPendingConnectionsPerPeer { get; set; } = 8;

    /// <summary>Largest data set accepted in one C-STORE (bytes); larger ones are answered A700.</summary>
    public long MaxInstanceBytes { get; set; } = 2L << 30;

    public int MaxPduLength { get; set; } = 262144;

    public int AssociationRequestTimeoutSeconds { get; set; } = 30;

    public int IdleTimeoutSeconds { get; set; } = 60;

    public int DimseTimeoutSeconds { get; set; } = 60;

    /// <summary>Longest an association may stay open (seconds), then A-ABORT; null (default): no limit.</summary>
    public int? MaxAssociationSeconds { get; set; }

    /// <summary>Slowest average PDV rate (bytes/s, after the first PDV, over time inside DIMSE messages), then A-ABORT;
    /// null (default): no limit.</summary>
    public long? MinBytesPerSecond { get; set; }

    public long FreeSpaceReserveMB { get; set; } = 1024;

    /// <summary>On SIGTERM: seconds open associations may take to finish (new ones are rejected) before they are
    /// aborted; the process then exits 0. A second SIGTERM aborts at once.</summary>
    public int DrainSeconds { get; set; } = 30;

    /// <summary>Minutes between reconciliations of the archive with the index (one runs at start-up); 0: start-up only.</summary>
    public int ReconcileMinutes { get; set; } = 10;

    /// <summary>Archive and temp files younger than this are left to the association that may still own them.</summary>
    public int ReconcileMinAgeSeconds { get; set; } = 600;

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
        if (!System.Net.IPAddress.TryParse(BindAddress, out _))
        {
            yield return $"RemoteDx:Dicom:BindAddress '{BindAddress}' is not an IP address";
        }
        if (Port is null && (TlsPort is null || string.IsNullOrEmpty(TlsCertificate)))
        {
            yield return "RemoteDx:Dicom:Port is empty and no TLS port is configured (TlsPort, TlsCertificate, TlsKey): nothing would listen";
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
        if (RequireClientCertificate && string.IsNullOrEmpty(TrustedClientCa))
        {
            yield return "RemoteDx:Dicom:RequireClientCertificate needs TrustedClientCa (PEM file of the CA that issues the clinics' client certificates)";
        }
        if (TrustedClientCa is { Length: > 0 } trustedCa && !File.Exists(trustedCa))
        {
            yield return $"RemoteDx:Dicom:TrustedClientCa '{trustedCa}' not found";
        }
        foreach (var peer in AllowedCallingAEs)
        {
            if (peer.CertificateSha256 is { Length: > 0 } sha &&
                sha.Replace(":", "", StringComparison.Ordinal).Trim() is var hex && (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit)))
            {
                yield return $"RemoteDx:Dicom:AllowedCallingAEs '{peer.AeTitle}': CertificateSha256 must be 64 hex digits (colons allowed)";
            }
        }
        if (MaxAssociations < 1)
        {
            yield return "RemoteDx:Dicom:MaxAssociations must be at least 1";
        }
        if (PendingAssociationTimeoutSeconds < 1 || MaxPendingConnections < 1 || MaxPendingConnectionsPerPeer < 1)
        {
            yield return "RemoteDx:Dicom:PendingAssociationTimeoutSeconds, MaxPendingConnections and MaxPendingConnectionsPerPeer must be at least 1";
        }
        if (MaxInstanceBytes < 1)
        {
            yield return "RemoteDx:Dicom:MaxInstanceBytes must be positive";
        }
        if (MaxPduLength is < 4096 or > 16 * 1024 * 1024)
        {
            yield return "RemoteDx:Dicom:MaxPduLength must be between 4096 and 16 MiB";
        }
        if (ReconcileMinutes < 0 || ReconcileMinAgeSeconds < 0)
        {
            yield return "RemoteDx:Dicom:ReconcileMinutes and ReconcileMinAgeSeconds must not be negative";
        }
        if (DrainSeconds is < 0 or > 3600)
        {
            yield return $"RemoteDx:Dicom:DrainSeconds {DrainSeconds} must be 0-3600";
        }
        if (FreeSpaceReserveMB < 0)
        {
            yield return "RemoteDx:Dicom:FreeSpaceReserveMB must not be negative";
        }
    }
}
