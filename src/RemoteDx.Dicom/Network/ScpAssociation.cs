// PS3.8 9 one association as acceptor: TLS (PS3.15 B.9), A-ASSOCIATE (PS3.8 7.1), PDV reassembly (9.3.5),
// A-RELEASE / A-ABORT and timeouts; DIMSE requests go to the service classes (VerificationService, StorageService)
using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>One accepted connection: negotiation, then DIMSE messages until release, abort or timeout. Each complete
/// command set goes to the service that answers its Command Field; the association only moves bytes and counts.</summary>
internal sealed class ScpAssociation
{
    private readonly DicomServerOptions _options;
    private readonly IStoreHandler _handler;
    private readonly ILogger _logger;
    private readonly TcpClient _client;
    private readonly bool _tls;
    private readonly ConnectionLimits _limits;
    private readonly Dictionary<ushort, int> _statusCounts = [];
    private IReadOnlyDictionary<byte, AcceptedPresentationContext> _contexts = new Dictionary<byte, AcceptedPresentationContext>();
    private AssociationInfo _info;
    private long _bytes;
    private bool _holdsSlot;
    private X509Certificate2? _clientCertificate;

    // Message being reassembled (PS3.8 9.3.5: one at a time; the command set, then its data set).
    private readonly ArrayBufferWriter<byte> _commandBuffer = new(512);
    private byte _commandContext;
    private IScpOperation? _operation;

    // The DIMSE services, created once the association is accepted.
    private IScpService[] _services = [];
    private StorageService? _storage;

    public ScpAssociation(DicomServerOptions options, IStoreHandler handler, ILogger logger, TcpClient client, bool tls, ConnectionLimits limits)
    {
        _options = options;
        _handler = handler;
        _logger = logger;
        _client = client;
        _tls = tls;
        _limits = limits;
        var remote = client.Client.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        _info = new AssociationInfo(Guid.NewGuid().ToString("N")[..12], "", "", remote, tls, DateTimeOffset.UtcNow);
    }

    public async Task<AssociationRecord> RunAsync(SslServerAuthenticationOptions? tlsOptions, CancellationToken ct)
    {
        var outcome = "aborted";
        _client.NoDelay = true;
        _logger.ConnectionOpened(_info.Id, _info.Remote, _tls);
        Stream stream = _client.GetStream();
        IDisposable? scope = null;
        // Until its A-ASSOCIATE-RQ arrives the connection is pending: timed out or evicted by shutting the socket down.
        var pending = _limits.Admit(_info.Id, _info.Remote, () => _client.Client.Shutdown(SocketShutdown.Both));
        try
        {
            if (tlsOptions is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                try
                {
                    using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    handshake.CancelAfter(_options.ArtimTimeout);
                    await ssl.AuthenticateAsServerAsync(tlsOptions, handshake.Token).ConfigureAwait(false);
                    if (ssl.RemoteCertificate is { } remoteCertificate)
                    {
                        _clientCertificate = remoteCertificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remoteCertificate.GetRawCertData());
                    }
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or ObjectDisposedException or SocketException
                    or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    _logger.TlsFailed(_info.Remote, ex.Message);
                    await ssl.DisposeAsync().ConfigureAwait(false);
                    _client.Dispose();
                    return Record("rejected:tls-handshake-failed");
                }
            }

            await using var dul = new Dul(stream, _client.Client, requestor: false, _options.MaxPduLength, _options.ArtimTimeout);
            try
            {
                Pdu? first;
                try
                {
                    first = await dul.ReceiveAsync(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
                }
                finally
                {
                    pending.Resolved();
                }
                if (first is not AAssociateRq rq)
                {
                    outcome = first is null ? "aborted: closed before A-ASSOCIATE-RQ" : "aborted: A-ABORT before A-ASSOCIATE-RQ";
                    return Record(outcome);
                }
                _info = _info with { CallingAE = rq.CallingAE, CalledAE = rq.CalledAE };
                scope = _logger.BeginScope(new AssociationScope(_info));

                var decision = await Acse.DecideAsync(rq, _options, _info.Remote, _clientCertificate,
                    () => _holdsSlot = _limits.TryReserveAssociation(), ct).ConfigureAwait(false);
                if (decision.Reject is { } rj)
                {
                    // A rejected association returns here: no path continues to data transfer.
                    _logger.AssociationRejected(decision.RejectReason!);
                    await dul.SendAsync(rj, ct).ConfigureAwait(false);
                    await dul.WaitForPeerCloseAsync(ct).ConfigureAwait(false);
                    return Record("rejected:" + decision.RejectReason);
                }

                _info = _info with { Clinic = decision.Peer?.Clinic };
                _contexts = decision.Contexts;
                _storage = new StorageService(_info, _handler, _logger, _options.MaxInstanceBytes);
                _services = [new VerificationService(_logger), _storage];
                dul.PeerMaxPduLength = rq.UserInformation.MaximumLength;
                await dul.SendAsync(decision.Accept!, ct).ConfigureAwait(false);
                _logger.AssociationAccepted(_contexts.Count, rq.PresentationContexts.Count, rq.UserInformation.MaximumLength);
                outcome = await ServeAsync(dul, ct).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                outcome = "timeout: " + ex.Message;
            }
            catch (DicomAssociationAbortedException ex)
            {
                outcome = "aborted: " + ex.Message;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await dul.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified, CancellationToken.None).ConfigureAwait(false);
                outcome = "aborted: server stopping";
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                outcome = "aborted: " + ex.Message;
            }
            return Record(outcome);
        }
        finally
        {
            pending.Resolved();
            if (_holdsSlot)
            {
                _limits.ReleaseAssociation();
            }
            await DiscardOperationAsync().ConfigureAwait(false);
            var record = Record(outcome);
            _logger.AssociationEnded(record.Outcome, record.Instances, record.Bytes, record.Duration);
            scope?.Dispose();
            _client.Dispose();
        }
    }

    private AssociationRecord Record(string outcome) =>
        new(_info, _storage?.Instances ?? 0, _bytes, new Dictionary<ushort, int>(_statusCounts), DateTimeOffset.UtcNow - _info.Started, outcome);

    private async Task<string> ServeAsync(Dul dul, CancellationToken ct)
    {
        var limits = new AssociationLimits(_options.MaxAssociationDuration, _options.MinBytesPerSecond);
        while (true)
        {
            var inMessage = _operation is not null || _commandBuffer.WrittenCount > 0;
            var wait = limits.BeginWait(inMessage ? _options.DimseTimeout : _options.IdleTimeout, inMessage);
            Pdu? pdu;
            try
            {
                pdu = await dul.ReceiveAsync(wait, ct).ConfigureAwait(false);
            }
            catch (TimeoutException) when (limits.DurationReached)
            {
                // The receive timer was shortened to the deadline and has already sent the A-ABORT.
                throw new DicomAssociationAbortedException("A-ABORT sent: " + limits.Exceeded(0));
            }
            if (pdu is not null && limits.Exceeded(pdu is PDataTf p ? PdvBytes(p) : 0) is { } exceeded)
            {
                (pdu as IDisposable)?.Dispose();
                await ProtocolErrorAsync(dul, exceeded, AbortReason.NotSpecified).ConfigureAwait(false);
            }
            switch (pdu)
            {
                case null:
                    return "aborted: " + (dul.AbortDescription ?? "transport closed");
                case AAbort ab:
                    return $"aborted: A-ABORT received (source {(byte)ab.Source}, reason {ab.Reason})";
                case AReleaseRq:
                    await DiscardOperationAsync().ConfigureAwait(false);
                    await dul.SendAsync(new AReleaseRp(), ct).ConfigureAwait(false);
                    await dul.WaitForPeerCloseAsync(ct).ConfigureAwait(false);
                    return "released";
                case PDataTf data:
                    using (data)
                    {
                        foreach (var pdv in data.Pdvs)
                        {
                            await OnPdvAsync(dul, pdv, ct).ConfigureAwait(false);
                        }
                    }
                    break;
                default:
                    // The state machine only lets P-DATA, release and abort through in Sta6.
                    throw new DicomAssociationAbortedException($"unexpected {pdu.Type}");
            }
        }
    }

    private async ValueTask ProtocolErrorAsync(Dul dul, string message, byte reason = AbortReason.InvalidPduParameterValue)
    {
        await dul.AbortAsync(AbortSource.ServiceProvider, reason, CancellationToken.None).ConfigureAwait(false);
        throw new DicomAssociationAbortedException("A-ABORT sent: " + message);
    }

    private static long PdvBytes(PDataTf data)
    {
        long n = 0;
        foreach (var pdv in data.Pdvs)
        {
            n += pdv.Data.Length;
        }
        return n;
    }

    private async ValueTask OnPdvAsync(Dul dul, Pdv pdv, CancellationToken ct)
    {
        if (!_contexts.TryGetValue(pdv.PresentationContextId, out var context))
        {
            await ProtocolErrorAsync(dul, $"PDV on presentation context {pdv.PresentationContextId}, which was not accepted").ConfigureAwait(false);
            return;
        }
        if (pdv.IsCommand)
        {
            if (_operation is not null)
            {
                await ProtocolErrorAsync(dul, "command fragment while a data set was expected").ConfigureAwait(false);
            }
            if (_commandBuffer.WrittenCount > 0 && pdv.PresentationContextId != _commandContext)
            {
                await ProtocolErrorAsync(dul, "command fragments on different presentation contexts").ConfigureAwait(false);
            }
            if (_commandBuffer.WrittenCount + pdv.Data.Length > DimseCodec.MaxCommandLength)
            {
                await ProtocolErrorAsync(dul, $"command set over {DimseCodec.MaxCommandLength} bytes").ConfigureAwait(false);
            }
            _commandContext = pdv.PresentationContextId;
            _commandBuffer.Write(pdv.Data.Span);
            if (!pdv.IsLast)
            {
                return;
            }
            DimseCommand command;
            try
            {
                command = DimseCodec.Decode(_commandBuffer.WrittenSpan);
            }
            catch (DicomFormatException ex)
            {
                await ProtocolErrorAsync(dul, "malformed command set: " + ex.Message).ConfigureAwait(false);
                return;
            }
            _commandBuffer.ResetWrittenCount();
            await OnCommandAsync(dul, context, command, ct).ConfigureAwait(false);
            return;
        }

        if (_operation is null || pdv.PresentationContextId != _commandContext)
        {
            await ProtocolErrorAsync(dul, "data set fragment without a command that announced one on this context").ConfigureAwait(false);
            return;
        }
        _bytes += pdv.Data.Length;
        _operation.OnDatasetFragment(pdv.Data.Span);
        if (pdv.IsLast)
        {
            var operation = _operation;
            _operation = null;
            await RespondAsync(dul, context, operation, ct).ConfigureAwait(false);
        }
    }

    /// <summary>PS3.7 9.3: dispatches a complete command set to the service that answers its Command Field. A request
    /// no service answers is a protocol error (A-ABORT).</summary>
    private async ValueTask OnCommandAsync(Dul dul, AcceptedPresentationContext context, DimseCommand command, CancellationToken ct)
    {
        var service = Array.Find(_services, s => s.Answers(command));
        if (service is null)
        {
            await ProtocolErrorAsync(dul, $"unsupported command 0x{(ushort)command.CommandField:X4}").ConfigureAwait(false);
            return;
        }
        var operation = service.Begin(context, command);
        if (command.HasDataSet)
        {
            _operation = operation;
            return;
        }
        await RespondAsync(dul, context, operation, ct).ConfigureAwait(false);
    }

    private async ValueTask RespondAsync(Dul dul, AcceptedPresentationContext context, IScpOperation operation, CancellationToken ct)
    {
        await using (operation.ConfigureAwait(false))
        {
            var response = await operation.RespondAsync(ct).ConfigureAwait(false);
            var code = response.Status ?? 0;
            _statusCounts[code] = _statusCounts.GetValueOrDefault(code) + 1;
            await DimseSender.SendCommandAsync(dul, context.Id, response, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the request in progress, if any (abort, release or failure): its temp file goes with it.</summary>
    private async ValueTask DiscardOperationAsync()
    {
        if (_operation is { } operation)
        {
            _operation = null;
            await operation.DisposeAsync().ConfigureAwait(false);
        }
    }
}
