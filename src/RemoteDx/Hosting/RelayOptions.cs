using RemoteDx.Dicom;
namespace RemoteDx.Hosting;

/// <summary>`remotedx relay` settings, section RemoteDx:Relay (docs/configuration.md).</summary>
public sealed class RelayOptions
{
    public const string Section = "RemoteDx:Relay";

    /// <summary>Queue folder: queue/, failed/, tmp/, sent.log, relay-state.json.</summary>
    public string DataDirectory { get; set; } = "./relay-data";

    /// <summary>The clinic-side listener, same keys as RemoteDx:Dicom; its AE title is also the calling AE the hub sees.</summary>
    public DicomListenerOptions Dicom { get; set; } = new() { AeTitle = "", TlsPort = null, FreeSpaceReserveMB = 256 };

    public RelayHubOptions Hub { get; set; } = new();

    /// <summary>Cap on bytes per second sent to the hub, in KiB (1024 bytes); 0 = none.</summary>
    public int MaxRateKBytesPerSecond { get; set; }

    /// <summary>Lossless re-encoding of native pixel data before forwarding: none, jpeg-ls (JPEG-LS Lossless,
    /// 1.2.840.10008.1.2.4.80) or j2k (JPEG 2000 Lossless, 1.2.840.10008.1.2.4.90); used only where the hub accepts it.</summary>
    public string Compress { get; set; } = "none";

    public double RetryBaseSeconds { get; set; } = 1;

    public double RetryMaxSeconds { get; set; } = 300;

    public IReadOnlyList<string> Validate()
    {
        var errors = Dicom.Validate().Select(e => e.Replace("RemoteDx:Dicom:", "RemoteDx:Relay:Dicom:", StringComparison.Ordinal)).ToList();
        if (string.IsNullOrEmpty(Hub.Host))
        {
            errors.Add("RemoteDx:Relay:Hub:Host is required (--hub HOST PORT)");
        }
        if (Hub.Port is < 1 or > 65535)
        {
            errors.Add($"RemoteDx:Relay:Hub:Port {Hub.Port} is not a TCP port");
        }
        if (Hub.AeTitle.Length is 0 or > 16 || Hub.AeTitle.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
        {
            errors.Add($"RemoteDx:Relay:Hub:AeTitle '{Hub.AeTitle}' must be 1-16 printable characters without backslash");
        }
        if (string.IsNullOrEmpty(Hub.Certificate) != string.IsNullOrEmpty(Hub.Key))
        {
            errors.Add("RemoteDx:Relay:Hub:Certificate and Key go together");
        }
        foreach (var (name, file) in new[] { ("Ca", Hub.Ca), ("Certificate", Hub.Certificate), ("Key", Hub.Key) })
        {
            if (file is { Length: > 0 } && !File.Exists(file))
            {
                errors.Add($"RemoteDx:Relay:Hub:{name} '{file}' not found");
            }
        }
        if (Hub.ConnectTimeoutSeconds < 1 || Hub.DimseTimeoutSeconds < 1)
        {
            errors.Add("RemoteDx:Relay:Hub:ConnectTimeoutSeconds and DimseTimeoutSeconds must be at least 1");
        }
        if (Compress is not ("none" or "jpeg-ls" or "j2k"))
        {
            errors.Add($"RemoteDx:Relay:Compress '{Compress}' must be none, jpeg-ls or j2k");
        }
        if (MaxRateKBytesPerSecond < 0)
        {
            errors.Add("RemoteDx:Relay:MaxRateKBytesPerSecond must not be negative");
        }
        else if (MaxRateKBytesPerSecond is > 0 and < 2)
        {
            errors.Add("RemoteDx:Relay:MaxRateKBytesPerSecond must be at least 2 (or 0 for no cap)");
        }
        if (!(RetryBaseSeconds > 0 && RetryMaxSeconds >= RetryBaseSeconds))
        {
            errors.Add("RemoteDx:Relay:RetryBaseSeconds must be positive and at most RetryMaxSeconds");
        }
        return errors;
    }

    /// <summary>The transfer syntax <see cref="Compress"/> names, or null for none.</summary>
    public TransferSyntax? CompressSyntax => Compress switch
    {
        "jpeg-ls" => TransferSyntax.JPEGLSLossless,
        "j2k" => TransferSyntax.JPEG2000Lossless,
        _ => null,
    };
}

/// <summary>Where the relay forwards to (RemoteDx:Relay:Hub).</summary>
public sealed class RelayHubOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 11112;

    public string AeTitle { get; set; } = "REMOTEDX";

    public bool Tls { get; set; }

    /// <summary>PEM certificates the hub's certificate must chain to; empty = the system store.</summary>
    public string? Ca { get; set; }

    /// <summary>PEM client certificate (the clinic's identity on the hub's TLS port) and its key.</summary>
    public string? Certificate { get; set; }

    public string? Key { get; set; }

    /// <summary>Connecting, the TLS handshake and association negotiation (each).</summary>
    public int ConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>Waiting for the hub's C-STORE-RSP; a link that stalls longer is treated as down.</summary>
    public int DimseTimeoutSeconds { get; set; } = 60;
}
