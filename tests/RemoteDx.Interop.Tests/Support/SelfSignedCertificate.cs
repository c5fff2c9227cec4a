namespace RemoteDx.Interop.Tests.Support;

/// <summary>A self-signed server certificate for localhost and 127.0.0.1, made by openssl as an operator would.</summary>
public static class SelfSignedCertificate
{
    /// <summary>Writes server.pem and server.key into <paramref name="dir"/>; returns their paths.</summary>
    public static (string Certificate, string Key) Create(string dir)
    {
        var cert = Path.Combine(dir, "server.pem");
        var key = Path.Combine(dir, "server.key");
        Tool.RunOk("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return (cert, key);
    }
}
