// PS3.15 B.9 (BCP 195) TLS peer authentication: what a client certificate must be, and which calling AE it may speak for
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteDx.Dicom.Network;

/// <summary>Client certificate rules of the association acceptor: the clientAuth extended key usage (RFC 5280
/// 4.2.1.12), and the pins of an <see cref="AllowedCallingAE"/> entry (subject, SHA-256 fingerprint).</summary>
internal static class ClientCertificates
{
    /// <summary>id-kp-clientAuth (RFC 5280 4.2.1.12).</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The certificate says it is for TLS client authentication. A certificate without the extension is
    /// refused too: a server or CA certificate must not open an association as a clinic.</summary>
    public static bool HasClientAuthUsage(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension eku)
            {
                foreach (var oid in eku.EnhancedKeyUsages)
                {
                    if (oid.Value == ClientAuthOid)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /// <summary>The entry's certificate pins, if any, are met by <paramref name="certificate"/> (null: no certificate,
    /// which meets no pin).</summary>
    public static bool MeetsPins(AllowedCallingAE entry, X509Certificate2? certificate)
    {
        if (!entry.PinsCertificate)
        {
            return true;
        }
        if (certificate is null)
        {
            return false;
        }
        if (entry.CertificateSubject is { Length: > 0 } subject && !SubjectMatches(subject.Trim(), certificate))
        {
            return false;
        }
        if (entry.CertificateSha256 is { Length: > 0 } pinned)
        {
            var actual = Convert.ToHexString(SHA256.HashData(certificate.RawData));
            if (!string.Equals(NormalizeSha256(pinned), actual, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>64 upper-case hex digits, or null when <paramref name="value"/> is not a SHA-256 fingerprint.</summary>
    public static string? NormalizeSha256(string value)
    {
        var hex = value.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    private static bool SubjectMatches(string pinned, X509Certificate2 certificate)
    {
        if (string.Equals(pinned, certificate.Subject, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // A distinguished name written another way ("/CN=x/O=y" or "CN=x,O=y"): compare the parsed names.
        if (pinned.Contains('=', StringComparison.Ordinal))
        {
            try
            {
                var name = new X500DistinguishedName(pinned.StartsWith('/') ? string.Join(", ", pinned.Trim('/').Split('/')) : pinned);
                return string.Equals(Canonical(name), Canonical(certificate.SubjectName), StringComparison.OrdinalIgnoreCase);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
        return string.Equals(pinned, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false), StringComparison.OrdinalIgnoreCase);
    }

    private static string Canonical(X500DistinguishedName name) =>
        string.Join(",", name.EnumerateRelativeDistinguishedNames().Select(r =>
            r.GetSingleElementType().Value + "=" + (r.GetSingleElementValue() ?? "")).Order(StringComparer.Ordinal)).ToUpper(CultureInfo.InvariantCulture);
}
