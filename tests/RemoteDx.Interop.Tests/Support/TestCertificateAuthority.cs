namespace RemoteDx.Interop.Tests.Support;

/// <summary>A throw-away CA made by openssl as an operator would, issuing server and client certificates (PEM, keys
/// unencrypted) into its folder.</summary>
public sealed class TestCertificateAuthority
{
    private readonly string _dir;
    private readonly string _name;

    private TestCertificateAuthority(string dir, string name)
    {
        _dir = dir;
        _name = name;
    }

    /// <summary>The CA certificate (PEM): what a peer trusts.</summary>
    public string Certificate => Path.Combine(_dir, _name + ".pem");

    private string Key => Path.Combine(_dir, _name + ".key");

    public static TestCertificateAuthority Create(string dir, string name)
    {
        var ca = new TestCertificateAuthority(dir, name);
        Tool.RunOk("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca.Key, "-out", ca.Certificate, "-days", "2",
            "-subj", $"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /// <summary>A server certificate for localhost and 127.0.0.1; returns its certificate and key paths.</summary>
    public (string Certificate, string Key) IssueServer(string name) =>
        Issue(name, "/CN=localhost", "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");

    /// <summary>A client certificate (mutual TLS); returns its certificate and key paths.</summary>
    public (string Certificate, string Key) IssueClient(string name, string subject) =>
        Issue(name, subject, "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");

    /// <summary>A client certificate without the clientAuth extended key usage (one a listener must refuse).</summary>
    public (string Certificate, string Key) IssueWithoutClientAuth(string name, string subject) =>
        Issue(name, subject, "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n");

    private (string Certificate, string Key) Issue(string name, string subject, string extensions)
    {
        var basePath = Path.Combine(_dir, name);
        File.WriteAllText(basePath + ".ext", extensions);
        Tool.RunOk("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", basePath + ".key", "-out", basePath + ".csr", "-subj", subject);
        Tool.RunOk("openssl", "x509", "-req", "-in", basePath + ".csr", "-CA", Certificate, "-CAkey", Key, "-CAcreateserial",
            "-out", basePath + ".pem", "-days", "2", "-extfile", basePath + ".ext");
        return (basePath + ".pem", basePath + ".key");
    }
}
