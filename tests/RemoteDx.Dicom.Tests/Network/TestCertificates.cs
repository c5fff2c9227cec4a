using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>A throw-away PKI made in process: a CA, a server certificate for localhost, and client certificates with
/// or without the clientAuth extended key usage.</summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    public TestCertificates()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=RemoteDx Test CA", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        Ca = Reload(req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2)));
        Server = Issue("CN=localhost", ServerAuth, localhost: true);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    /// <summary>A client certificate issued by <see cref="Ca"/>; <paramref name="clientAuth"/> false leaves the EKU out.</summary>
    public X509Certificate2 Client(string subject, bool clientAuth = true) => Issue(subject, clientAuth ? ClientAuth : null, localhost: false);

    public static string Sha256(X509Certificate2 cert) => Convert.ToHexString(SHA256.HashData(cert.RawData));

    private X509Certificate2 Issue(string subject, Oid? usage, bool localhost)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (usage is not null)
        {
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        }
        if (localhost)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
        }
        var issuer = Ca ?? throw new InvalidOperationException("CA first");
        using var cert = req.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return Reload(cert.CopyWithPrivateKey(key));
    }

    // Through PKCS#12 so that the private key is usable by SslStream on every platform.
    private static X509Certificate2 Reload(X509Certificate2 cert)
    {
        using (cert)
        {
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        }
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
    }
}
