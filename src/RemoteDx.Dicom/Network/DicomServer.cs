// PS3.8 9.1 transport (TCP, PS3.15 B.9 TLS) listener: accepts associations and runs one task per association
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RemoteDx.Dicom.Network;

/// <summary>The C-ECHO and C-STORE SCP. Binds a plain TCP port and optionally a TLS port; every connection runs as
/// its own task (no thread is blocked per connection). Stored instances go to the <see cref="IStoreHandler"/>.</summary>
public sealed class DicomServer : IAsyncDisposable
{
    private readonly DicomServerOptions _options;
    private readonly IStoreHandler _handler;
    private readonly IAssociationObserver? _observer;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly List<(TcpListener Listener, Task Loop)> _listeners = [];
    private readonly ConnectionLimits _limits;
    private SslServerAuthenticationOptions? _tlsOptions;
    private bool _started;

    public DicomServer(DicomServerOptions options, IStoreHandler storeHandler, IAssociationObserver? observer = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storeHandler);
        _options = options;
        _handler = storeHandler;
        _observer = observer;
        _logger = logger ?? NullLogger.Instance;
        _limits = new ConnectionLimits(options, _logger);
    }

    /// <summary>The plain TCP endpoint, once started (the real port when <see cref="DicomServerOptions.Port"/> is 0); null
    /// when no plain listener runs (<see cref="DicomServerOptions.PlainEnabled"/>).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>The TLS endpoint, or null when TLS is disabled.</summary>
    public IPEndPoint? TlsEndPoint { get; private set; }

    /// <summary>Accepted associations open now (what <see cref="DicomServerOptions.MaxAssociations"/> limits).</summary>
    public int ActiveAssociations => _limits.Associations;

    /// <summary>Connections open now that have not sent an A-ASSOCIATE-RQ yet.</summary>
    public int PendingConnections => _limits.Pending;

    public Task StartAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (_started)
        {
            throw new InvalidOperationException("DicomServer already started");
        }
        _options.Validate();
        _started = true;
        if (_options.PlainEnabled)
        {
            LocalEndPoint = Listen(_options.Port!.Value, tls: false);
            if (_options.RequireClientCertificate)
            {
                _logger.PlainPortWithClientCertificates(LocalEndPoint);
            }
        }
        if (_options.TlsEnabled)
        {
            _tlsOptions = BuildTlsOptions(_options);
            TlsEndPoint = Listen(_options.TlsPort!.Value, tls: true);
        }
        return Task.CompletedTask;
    }

    private IPEndPoint Listen(int port, bool tls)
    {
        var listener = new TcpListener(_options.BindAddress, port);
        listener.Server.NoDelay = true;
        listener.Start(backlog: 64);
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        _logger.ListenerStarted(_options.AeTitle, endPoint, tls);
        _listeners.Add((listener, AcceptLoopAsync(listener, tls)));
        return endPoint;
    }

    private async Task AcceptLoopAsync(TcpListener listener, bool tls)
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (!ct.IsCancellationRequested)
                {
                    _logger.AcceptFailed(listener.LocalEndpoint, ex);
                }
                break;
            }
            client.NoDelay = true;
            var task = RunAssociationAsync(client, tls, ct);
            _running.TryAdd(task, 0);
            _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunAssociationAsync(TcpClient client, bool tls, CancellationToken ct)
    {
        await Task.Yield();
        var association = new ScpAssociation(_options, _handler, _logger, client, tls, _limits);
        AssociationRecord record;
        try
        {
            record = await association.RunAsync(tls ? _tlsOptions : null, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.AssociationFailed("?", ex);
            client.Dispose();
            return;
        }
        try
        {
            _observer?.AssociationEnded(record);
        }
        catch (Exception ex)
        {
            _logger.ObserverFailed(ex);
        }
    }

    /// <summary>PS3.15 B.9 (BCP 195): TLS 1.2 and 1.3 only; on Linux, AEAD cipher suites with forward secrecy.</summary>
    private static SslServerAuthenticationOptions BuildTlsOptions(DicomServerOptions options)
    {
        var tls = new SslServerAuthenticationOptions
        {
            ServerCertificate = options.TlsCertificate,
            // Asked for whenever it can matter (a pinned allow-list entry, a trusted CA); refused as missing only when required.
            ClientCertificateRequired = options.RequireClientCertificate || options.TrustedClientCertificates is { Count: > 0 }
                || options.AllowedCallingAEs.Any(a => a.PinsCertificate),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                ValidateClientCertificate(options, certificate, errors),
        };
        if (OperatingSystem.IsLinux())
        {
            tls.CipherSuitesPolicy = TlsPolicy.Bcp195CipherSuites();
        }
        return tls;
    }

    /// <summary>A client certificate must carry the clientAuth extended key usage and chain to
    /// <see cref="DicomServerOptions.TrustedClientCertificates"/> (or be one of them); which calling AE it may speak for
    /// is decided at A-ASSOCIATE time (<see cref="ClientCertificates.MeetsPins"/>).</summary>
    private static bool ValidateClientCertificate(DicomServerOptions options, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return !options.RequireClientCertificate;
        }
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (!ClientCertificates.HasClientAuthUsage(cert))
        {
            return false;
        }
        // A certificate an allow-list entry pins by fingerprint is trusted as such, like a listed trusted certificate.
        if (options.AllowedCallingAEs.Any(a => a.CertificateSha256 is { Length: > 0 } && ClientCertificates.MeetsPins(a with { CertificateSubject = null }, cert)))
        {
            return true;
        }
        if (options.TrustedClientCertificates is not { Count: > 0 } trusted)
        {
            return errors == SslPolicyErrors.None;
        }
        foreach (var t in trusted)
        {
            if (t.Thumbprint == cert.Thumbprint)
            {
                return true;
            }
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    /// <summary>DESIGN.md "Durability modes": SIGTERM drains. New associations are rejected at once (A-ASSOCIATE-RJ
    /// rejected-transient, local-limit-exceeded: PS3.8 7.1.1.9, a sender retries later); open ones may finish until they
    /// release or <paramref name="deadline"/> passes or <paramref name="abortNow"/> fires, then <see cref="StopAsync"/>
    /// aborts what is left (A-ABORT). Returns how many associations were still open at the deadline.</summary>
    public async Task<int> DrainAsync(TimeSpan deadline, CancellationToken abortNow = default)
    {
        if (_stop.IsCancellationRequested)
        {
            return 0;
        }
        _limits.StopAccepting();
        _logger.Draining(ActiveAssociations, deadline.TotalSeconds);
        var until = DateTime.UtcNow + deadline;
        while (_limits.Associations > 0 && DateTime.UtcNow < until && !abortNow.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), abortNow).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        var left = _limits.Associations;
        if (left > 0)
        {
            _logger.DrainAborting(left);
        }
        await StopAsync().ConfigureAwait(false);
        return left;
    }

    /// <summary>Stops accepting, aborts open associations and waits for their tasks.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var (listener, _) in _listeners)
        {
            listener.Stop();
        }
        foreach (var (listener, loop) in _listeners)
        {
            await loop.ConfigureAwait(false);
            _logger.ListenerStopped(listener.LocalEndpoint);
        }
        await Task.WhenAll(_running.Keys).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
