namespace RemoteDx.Hosting;

/// <summary>The "RemoteDx:Web" section: the web server's own TLS certificate, for an https `HttpUrl`.</summary>
public sealed class WebOptions
{
    /// <summary>PEM certificate (chain) Kestrel presents on an https `HttpUrl`.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>PEM private key for <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    public IEnumerable<string> Validate(bool https)
    {
        var configured = !string.IsNullOrEmpty(TlsCertificate) || !string.IsNullOrEmpty(TlsKey);
        if (https && (string.IsNullOrEmpty(TlsCertificate) || string.IsNullOrEmpty(TlsKey)))
        {
            yield return "RemoteDx:HttpUrl is https but RemoteDx:Web:TlsCertificate and TlsKey (PEM files) are not both set";
        }
        else if (!https && configured)
        {
            // A certificate beside a plain http URL is a half-done TLS set-up: serving plain http anyway would hide it.
            yield return "RemoteDx:Web:TlsCertificate/TlsKey are set but RemoteDx:HttpUrl is plain http (use https://)";
        }
        if (TlsCertificate is { Length: > 0 } cert && !File.Exists(cert))
        {
            yield return $"RemoteDx:Web:TlsCertificate '{cert}' not found";
        }
        if (TlsKey is { Length: > 0 } key && !File.Exists(key))
        {
            yield return $"RemoteDx:Web:TlsKey '{key}' not found";
        }
    }
}
