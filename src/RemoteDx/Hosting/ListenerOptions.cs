// DicomListenerOptions (configuration) → DicomServerOptions (the network layer), for the relay's listener
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Hosting;

/// <summary>Maps the listener keys (allow-list, TLS, limits) onto <see cref="DicomServerOptions"/>. The same mapping is
/// in <see cref="DicomListenerService"/> for serve; it should call this one.</summary>
internal static class ListenerOptions
{
    public static DicomServerOptions ToServerOptions(DicomListenerOptions d, Func<bool>? accepting = null)
    {
        var serverOptions = new DicomServerOptions
        {
            AeTitle = d.AeTitle,
            Port = d.Port,
            TlsPort = d.TlsPort,
            MaxAssociations = d.MaxAssociations,
            MaxPduLength = (uint)d.MaxPduLength,
            ArtimTimeout = TimeSpan.FromSeconds(d.AssociationRequestTimeoutSeconds),
            IdleTimeout = TimeSpan.FromSeconds(d.IdleTimeoutSeconds),
            DimseTimeout = TimeSpan.FromSeconds(d.DimseTimeoutSeconds),
        };
        if (accepting is not null)
        {
            serverOptions.AcceptingAssociations = accepting;
        }
        foreach (var peer in d.AllowedCallingAEs)
        {
            serverOptions.AllowedCallingAEs.Add(new AllowedCallingAE(peer.AeTitle, peer.Host));
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
}
