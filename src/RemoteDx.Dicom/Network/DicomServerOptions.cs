// PS3.8 7.1 / PS3.15 B.9 (BCP 195): configuration of the DICOM listener (the association acceptor)
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace RemoteDx.Dicom.Network;

/// <summary>A calling AE title allowed to associate: optionally only from <see cref="Host"/> (IP address or host name)
/// and only with a TLS client certificate whose subject (the distinguished name, e.g. <c>CN=clinic-b, O=Hill</c>, or
/// just its common name) is <see cref="CertificateSubject"/> and/or whose SHA-256 fingerprint (hex, colons allowed) is
/// <see cref="CertificateSha256"/>. <see cref="Clinic"/> is the clinic the AE acts for (study ownership, DESIGN.md
/// "Between clinics"); null = the AE title itself.</summary>
public sealed record AllowedCallingAE(string AeTitle, string? Host = null, string? Clinic = null, string? CertificateSubject = null,
    string? CertificateSha256 = null)
{
    /// <summary>The entry names a client certificate: it can only be met over TLS with that certificate.</summary>
    public bool PinsCertificate => !string.IsNullOrWhiteSpace(CertificateSubject) || !string.IsNullOrWhiteSpace(CertificateSha256);
}

/// <summary>Options of <see cref="DicomServer"/>; bindable from configuration (section RemoteDx:Dicom).</summary>
public sealed class DicomServerOptions
{
    public string AeTitle { get; set; } = "REMOTEDX";

    /// <summary>Address both listeners bind (default 0.0.0.0: every interface).</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Any;

    /// <summary>Plain TCP port; 0 picks a free port (read it back from <see cref="DicomServer.LocalEndPoint"/>); null: no
    /// plain listener. With <see cref="RequireClientCertificate"/> it listens only if
    /// <see cref="AllowPlainWithClientCertificates"/> says so (<see cref="PlainEnabled"/>).</summary>
    public int? Port { get; set; } = 11112;

    /// <summary>Open the plain port even though <see cref="RequireClientCertificate"/> is set: senders on it are then not
    /// authenticated by certificate (a start-up warning says so).</summary>
    public bool AllowPlainWithClientCertificates { get; set; }

    /// <summary>TLS port; null disables TLS. TLS also needs <see cref="TlsCertificate"/>: without it no TLS listener starts.</summary>
    public int? TlsPort { get; set; } = 2762;

    /// <summary>Server certificate with private key.</summary>
    public X509Certificate2? TlsCertificate { get; set; }

    public bool RequireClientCertificate { get; set; }

    /// <summary>CA or client certificates a client certificate must chain to; null = the system store.</summary>
    public X509Certificate2Collection? TrustedClientCertificates { get; set; }

    /// <summary>Empty = any calling AE.</summary>
    public IList<AllowedCallingAE> AllowedCallingAEs { get; set; } = new List<AllowedCallingAE>();

    /// <summary>Accepted associations open at once; connections still waiting for their A-ASSOCIATE-RQ do not count.</summary>
    public int MaxAssociations { get; set; } = 32;

    /// <summary>How long a connection may stay open without sending an A-ASSOCIATE-RQ (TLS handshake included).</summary>
    public TimeSpan PendingAssociationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections without an A-ASSOCIATE-RQ open at once; at the cap the oldest is closed for a new one.</summary>
    public int MaxPendingConnections { get; set; } = 64;

    /// <summary>The same, per peer IP address.</summary>
    public int MaxPendingConnectionsPerPeer { get; set; } = 8;

    /// <summary>Largest data set accepted in one C-STORE; a larger one is answered A700 and its temp file removed.</summary>
    public long MaxInstanceBytes { get; set; } = 2L << 30;

    /// <summary>Maximum Length we advertise for P-DATA-TF PDUs we receive (PS3.8 D.1).</summary>
    public uint MaxPduLength { get; set; } = 262144;

    public TimeSpan ArtimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan DimseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest an accepted association may stay open, whatever it does; then A-ABORT. Null (default): no limit.</summary>
    public TimeSpan? MaxAssociationDuration { get; set; }

    /// <summary>Slowest average rate (bytes/s of PDV data after the first PDV, over the time spent inside DIMSE messages)
    /// an association may keep; below it, A-ABORT. Null (default): no limit.</summary>
    public long? MinBytesPerSecond { get; set; }

    /// <summary>When this returns false, new associations are rejected (transient, local limit exceeded): e.g. the
    /// disk reserve is reached.</summary>
    public Func<bool> AcceptingAssociations { get; set; } = static () => true;

    /// <summary>Transfer syntaxes in order of preference; a proposed syntax not listed is still accepted after them
    /// when it is decodable. Default: <see cref="PresentationContextNegotiator.DefaultPreference"/>.</summary>
    public IList<string> TransferSyntaxPreference { get; set; } = new List<string>(PresentationContextNegotiator.DefaultPreference);

    internal bool TlsEnabled => TlsPort is not null && TlsCertificate is not null;

    /// <summary>The plain listener runs: a <see cref="Port"/> is set and, when client certificates are required, the
    /// plain port was explicitly allowed (a port number alone never reopens it).</summary>
    public bool PlainEnabled => Port is not null && (!RequireClientCertificate || AllowPlainWithClientCertificates);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(AeTitle) || AeTitle.Trim().Length > 16 || AeTitle.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"AeTitle '{AeTitle}' must be 1-16 characters without backslash");
        }
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port {Port} must be 0-65535");
        }
        if (TlsPort is < 0 or > 65535)
        {
            throw new ArgumentException($"TlsPort {TlsPort} must be 0-65535 or null");
        }
        if (TlsCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("TlsCertificate has no private key");
        }
        if (RequireClientCertificate && !TlsEnabled)
        {
            throw new ArgumentException("RequireClientCertificate needs TlsPort and TlsCertificate");
        }
        if (RequireClientCertificate && TrustedClientCertificates is not { Count: > 0 })
        {
            throw new ArgumentException("RequireClientCertificate needs TrustedClientCertificates (the CA that issues client certificates)");
        }
        if (MaxAssociations < 1)
        {
            throw new ArgumentException($"MaxAssociations {MaxAssociations} must be at least 1");
        }
        if (MaxPendingConnections < 1 || MaxPendingConnectionsPerPeer < 1)
        {
            throw new ArgumentException("MaxPendingConnections and MaxPendingConnectionsPerPeer must be at least 1");
        }
        if (PendingAssociationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("PendingAssociationTimeout must be positive");
        }
        if (MaxInstanceBytes < 1)
        {
            throw new ArgumentException("MaxInstanceBytes must be positive");
        }
        if (!PlainEnabled && !TlsEnabled)
        {
            throw new ArgumentException("no listener: set Port, or TlsPort and TlsCertificate");
        }
        if (MaxPduLength is < 4096 and not 0)
        {
            throw new ArgumentException($"MaxPduLength {MaxPduLength} must be at least 4096 (or 0 for unlimited)");
        }
        if (ArtimTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero || DimseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ArtimTimeout, IdleTimeout and DimseTimeout must be positive");
        }
        if (MaxAssociationDuration <= TimeSpan.Zero || MinBytesPerSecond <= 0)
        {
            throw new ArgumentException("MaxAssociationSeconds and MinBytesPerSecond must be positive when set");
        }
        foreach (var a in AllowedCallingAEs)
        {
            if (string.IsNullOrWhiteSpace(a.AeTitle) || a.AeTitle.Trim().Length > 16)
            {
                throw new ArgumentException($"AllowedCallingAEs entry '{a.AeTitle}' must be 1-16 characters");
            }
            if (a.CertificateSha256 is { Length: > 0 } sha && ClientCertificates.NormalizeSha256(sha) is null)
            {
                throw new ArgumentException($"AllowedCallingAEs entry '{a.AeTitle}': CertificateSha256 must be 64 hex digits (colons allowed)");
            }
        }
    }
}
