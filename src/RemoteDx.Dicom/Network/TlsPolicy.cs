// PS3.15 B.9 BCP 195 TLS secure transport connection profile
using System.Net.Security;
using System.Runtime.Versioning;

namespace RemoteDx.Dicom.Network;

/// <summary>The BCP 195 (RFC 9325) subset used on both sides: TLS 1.3 suites and the TLS 1.2 ECDHE/DHE AEAD suites.</summary>
internal static class TlsPolicy
{
    [UnsupportedOSPlatform("windows")]
    public static CipherSuitesPolicy Bcp195CipherSuites() => new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    ]);
}
