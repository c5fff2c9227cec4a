// DicomListenerOptions (configuration) → DicomServerOptions (the network layer), for serve's and the relay's listeners
using System.Net;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Hosting;

/// <summary>Maps the listener keys (bind address, allow-list with clinics and pinned certificates, TLS, limits) onto
/// <see cref="DicomServerOptions"/>: the one mapping, for `serve` and `relay` alike.</summary>
internal static class ListenerOptions
{
    public static DicomServerOptions ToServerOptions(DicomListenerOptions d, Func<bool>? accepting = null)
    {
        var serverOptions = new DicomServerOptions
        {
            AeTitle = d.AeTitle,
            BindAddress = IPAddress.Parse(d.BindAddress),
            Port = d.Port,
            AllowPlainWithClientCertificates = d.AllowPlainWithClientCertificates,
            TlsPort = d.TlsPort,
            MaxAssociations = d.MaxAssociations,
            PendingAssociationTimeout = TimeSpan.FromSeconds(d.PendingAssociationTimeoutSeconds),
            MaxPendingConnections = d.MaxPendingConnections,
            MaxPendingConnectionsPerPeer = d.MaxPendingConnectionsPerPeer,
            MaxInstanceBytes = d.MaxInstanceBytes,
            MaxPduLength = (uint)d.MaxPduLength,
            ArtimTimeout = TimeSpan.FromSeconds(d.AssociationRequestTimeoutSeconds),
            IdleTimeout = TimeSpan.FromSeconds(d.IdleTimeoutSeconds),
            DimseTimeout = TimeSpan.FromSeconds(d.DimseTimeoutSeconds),
            MaxAssociationDuration = d.MaxAssociationSeconds is { } max ? TimeSpan.FromSeconds(max) : null,
            MinBytesPerSecond = d.MinBytesPerSecond,
        };
        if (accepting is not null)
        {
            serverOptions.AcceptingAssociations = accepting;
        }
        foreach (var peer in d.AllowedCallingAEs)
        {
            serverOptions.AllowedCallingAEs.Add(new AllowedCallingAE(peer.AeTitle, Blank(peer.Host), Blank(peer.Clinic),
                Blank(peer.CertificateSubject), Blank(peer.CertificateSha256)));
        }
        if (d.TlsPort is not null && !string.IsNullOrEmpty(d.TlsCertificate))
        {
            serverOptions.TlsCertificate = X509Certificate2.CreateFromPemFile(d.TlsCertificate!, d.TlsKey!);
            serverOptions.RequireClientCertificate = d.RequireClientCertificate;
            if (d.TrustedClientCa is { Length: > 0 } ca)
            {
                var trusted = new X509Certificate2Collection();
                trusted.ImportFromPemFile(ca);
                serverOptions.TrustedClientCertificates = trusted;
            }
        }
        return serverOptions;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
