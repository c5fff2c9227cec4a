// PS3.8 7.1 association requestor settings; PS3.15 B.9 TLS
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RemoteDx.Dicom.Network;

/// <summary>Options of <see cref="DicomClient"/>.</summary>
public sealed class DicomClientOptions
{
    public required string Host { get; set; }

    public int Port { get; set; } = 11112;

    public string CallingAE { get; set; } = "REMOTEDX";

    public required string CalledAE { get; set; }

    public bool Tls { get; set; }

    /// <summary>Client certificate (with private key) for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Custom server certificate check; takes precedence over <see cref="TrustedCertificates"/>.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    /// <summary>CA (or server) certificates the server must chain to; null = the system store.</summary>
    public X509Certificate2Collection? TrustedCertificates { get; set; }

    /// <summary>Name checked against the server certificate; default <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }

    public uint MaxPduLength { get; set; } = 262144;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ArtimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan DimseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Wraps the connection's stream under TLS (so it sees the bytes on the wire), e.g. to cap the byte rate
    /// over a slow clinic link; null = the socket's stream as it is.</summary>
    public Func<Stream, Stream>? TransportFilter { get; set; }
}
