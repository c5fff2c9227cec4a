// PS3.7 9.1.1 / 9.1.5 C-STORE and C-ECHO as SCP over one association (PS3.8 9.3.5 PDV reassembly)
using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>One accepted connection: negotiation, then DIMSE messages until release, abort or timeout. Data sets
/// stream to a temp file fragment by fragment, so memory stays bounded whatever the instance size.</summary>
internal sealed class ScpAssociation
{
    private readonly DicomServerOptions _options;
    private readonly IStoreHandler _handler;
    private readonly ILogger _logger;
    private readonly TcpClient _client;
    private readonly bool _tls;
    private readonly Func<bool> _overLimit;
    private readonly Dictionary<ushort, int> _statusCounts = [];
    private IReadOnlyDictionary<byte, AcceptedPresentationContext> _contexts = new Dictionary<byte, AcceptedPresentationContext>();
    private AssociationInfo _info;
    private int _instances;
    private long _bytes;

    // Message being reassembled.
    private readonly ArrayBufferWriter<byte> _commandBuffer = new(512);
    private DimseCommand? _command;
    private byte _commandContext;
    private FileStream? _datasetFile;
    private long _datasetOffset;
    private string? _datasetPath;
    private long _datasetLength;
    private DimseStatus? _earlyStatus;

    public ScpAssociation(DicomServerOptions options, IStoreHandler handler, ILogger logger, TcpClient client, bool tls, Func<bool> overLimit)
    {
        _options = options;
        _handler = handler;
        _logger = logger;
        _client = client;
        _tls = tls;
        _overLimit = overLimit;
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
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
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
                var first = await dul.ReceiveAsync(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
                if (first is not AAssociateRq rq)
                {
                    outcome = first is null ? "aborted: closed before A-ASSOCIATE-RQ" : "aborted: A-ABORT before A-ASSOCIATE-RQ";
                    return Record(outcome);
                }
                _info = _info with { CallingAE = rq.CallingAE, CalledAE = rq.CalledAE };
                scope = _logger.BeginScope(new AssociationScope(_info));

                var decision = await Acse.DecideAsync(rq, _options, _info.Remote, _overLimit(), ct).ConfigureAwait(false);
                if (decision.Reject is { } rj)
                {
                    // A rejected association returns here: no path continues to data transfer.
                    _logger.AssociationRejected(decision.RejectReason!);
                    await dul.SendAsync(rj, ct).ConfigureAwait(false);
                    await dul.WaitForPeerCloseAsync(ct).ConfigureAwait(false);
                    return Record("rejected:" + decision.RejectReason);
                }

                _contexts = decision.Contexts;
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
            await DiscardDatasetAsync().ConfigureAwait(false);
            var record = Record(outcome);
            _logger.AssociationEnded(record.Outcome, record.Instances, record.Bytes, record.Duration);
            scope?.Dispose();
            _client.Dispose();
        }
    }

    private AssociationRecord Record(string outcome) =>
        new(_info, _instances, _bytes, new Dictionary<ushort, int>(_statusCounts), DateTimeOffset.UtcNow - _info.Started, outcome);

    private async Task<string> ServeAsync(Dul dul, CancellationToken ct)
    {
        while (true)
        {
            var inMessage = _command is not null || _commandBuffer.WrittenCount > 0;
            var pdu = await dul.ReceiveAsync(inMessage ? _options.DimseTimeout : _options.IdleTimeout, ct).ConfigureAwait(false);
            switch (pdu)
            {
                case null:
                    return "aborted: " + (dul.AbortDescription ?? "transport closed");
                case AAbort ab:
                    return $"aborted: A-ABORT received (source {(byte)ab.Source}, reason {ab.Reason})";
                case AReleaseRq:
                    await DiscardDatasetAsync().ConfigureAwait(false);
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

    private async ValueTask ProtocolErrorAsync(Dul dul, string message)
    {
        await dul.AbortAsync(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue, CancellationToken.None).ConfigureAwait(false);
        throw new DicomAssociationAbortedException("A-ABORT sent: " + message);
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
            if (_command is not null)
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

        if (_command is null || pdv.PresentationContextId != _commandContext)
        {
            await ProtocolErrorAsync(dul, "data set fragment without a command that announced one on this context").ConfigureAwait(false);
            return;
        }
        _datasetLength += pdv.Data.Length;
        _bytes += pdv.Data.Length;
        if (_datasetFile is not null)
        {
            try
            {
                // Buffered and synchronous: page-cache writes are fast, and per-fragment async file writes cost a
                // thread-pool hop each (thousands per large instance).
                _datasetFile.Write(pdv.Data.Span);
            }
            catch (IOException ex)
            {
                // Keep reading the data set so the association survives; answer "unable to store".
                await DiscardDatasetAsync().ConfigureAwait(false);
                _earlyStatus = DimseStatus.OutOfResourcesUnableToStore.WithComment("cannot write temp file: " + ex.GetType().Name);
            }
        }
        if (pdv.IsLast)
        {
            var command = _command;
            _command = null;
            await OnStoreAsync(dul, context, command, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask OnCommandAsync(Dul dul, AcceptedPresentationContext context, DimseCommand command, CancellationToken ct)
    {
        switch (command.CommandField)
        {
            case DimseCommandField.CEchoRq when !command.HasDataSet:
                _logger.Echo(command.MessageId ?? 0);
                var status = context.AbstractSyntax == DicomUids.Verification ? DimseStatus.Success : DimseStatus.SopClassNotSupported;
                Count(status);
                await DimseSender.SendCommandAsync(dul, context.Id, new DimseCommand
                {
                    CommandField = DimseCommandField.CEchoRsp,
                    MessageIdBeingRespondedTo = command.MessageId ?? 0,
                    AffectedSopClassUid = DicomUids.Verification,
                    Status = status.Code,
                }, ct).ConfigureAwait(false);
                return;
            case DimseCommandField.CStoreRq when command.HasDataSet:
                _command = command;
                _datasetLength = 0;
                _earlyStatus = null;
                if (command.AffectedSopClassUid != context.AbstractSyntax)
                {
                    _earlyStatus = DimseStatus.SopClassNotSupported.WithComment("SOP class differs from the presentation context's");
                }
                else if (string.IsNullOrEmpty(command.AffectedSopInstanceUid) || command.MessageId is null)
                {
                    _earlyStatus = DimseStatus.CannotUnderstand.WithComment("missing Affected SOP Instance UID or Message ID");
                }
                else
                {
                    try
                    {
                        Directory.CreateDirectory(_options.TempDirectory);
                        _datasetPath = Path.Combine(_options.TempDirectory, $"rdx-{_info.Id}-{command.MessageId}-{Guid.NewGuid():N}.tmp");
                        _datasetFile = new FileStream(_datasetPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                        _datasetOffset = 0;
                        if (_handler is IStoreFilePrefix prefixer)
                        {
                            var prefix = prefixer.FilePrefix(_info, command.AffectedSopClassUid!, command.AffectedSopInstanceUid!, context.TransferSyntax);
                            _datasetFile.Write(prefix.Span);
                            _datasetOffset = prefix.Length;
                        }
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        await DiscardDatasetAsync().ConfigureAwait(false);
                        _earlyStatus = DimseStatus.OutOfResourcesUnableToStore.WithComment("cannot create temp file: " + ex.GetType().Name);
                    }
                }
                return;
            default:
                await ProtocolErrorAsync(dul, $"unsupported command 0x{(ushort)command.CommandField:X4}").ConfigureAwait(false);
                return;
        }
    }

    private async ValueTask OnStoreAsync(Dul dul, AcceptedPresentationContext context, DimseCommand command, CancellationToken ct)
    {
        DimseStatus status;
        Exception? failure = null;
        var messageId = command.MessageId ?? 0;
        if (_earlyStatus is { } early)
        {
            status = early;
        }
        else
        {
            await _datasetFile!.DisposeAsync().ConfigureAwait(false);
            _datasetFile = null;
            var request = new StoreRequest(command.AffectedSopClassUid!, command.AffectedSopInstanceUid!, context.TransferSyntax,
                _datasetPath!, _datasetLength, messageId, string.IsNullOrEmpty(command.MoveOriginatorAE) ? null : command.MoveOriginatorAE,
                _datasetOffset);
            (status, failure) = await StoreBoundaryAsync(request, ct).ConfigureAwait(false);
            _instances++;
        }
        await DiscardDatasetAsync().ConfigureAwait(false);
        Count(status);
        if (status.Category == StatusCategory.Failure)
        {
            _logger.StoreFailed(messageId, status.ToString(), failure);
        }
        else
        {
            _logger.Stored(messageId, command.AffectedSopClassUid ?? "", command.AffectedSopInstanceUid ?? "", _datasetLength, status.ToString());
        }
        await DimseSender.SendCommandAsync(dul, context.Id, new DimseCommand
        {
            CommandField = DimseCommandField.CStoreRsp,
            MessageIdBeingRespondedTo = messageId,
            AffectedSopClassUid = command.AffectedSopClassUid,
            AffectedSopInstanceUid = command.AffectedSopInstanceUid,
            Status = status.Code,
            ErrorComment = status.ErrorComment,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The one place where exceptions become DIMSE statuses. Comments carry the exception type or our own
    /// short text, never data set values.</summary>
    private async ValueTask<(DimseStatus, Exception?)> StoreBoundaryAsync(StoreRequest request, CancellationToken ct)
    {
        try
        {
            return (await _handler.StoreAsync(_info, request, ct).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (DicomException ex)
        {
            return (DimseStatus.CannotUnderstand.WithComment(Short("cannot understand: " + ex.Message)), ex);
        }
        catch (OutOfResourcesException ex)
        {
            return (DimseStatus.OutOfResources.WithComment(Short("out of resources: " + ex.Message)), ex);
        }
        catch (IOException ex)
        {
            return (DimseStatus.OutOfResourcesUnableToStore.WithComment("unable to store: " + ex.GetType().Name), ex);
        }
        catch (Exception ex)
        {
            return (DimseStatus.ProcessingFailure.WithComment("processing failure: " + ex.GetType().Name), ex);
        }
    }

    private static string Short(string s) => s.Length <= 64 ? s : s[..64];

    private void Count(DimseStatus status) => _statusCounts[status.Code] = _statusCounts.GetValueOrDefault(status.Code) + 1;

    /// <summary>Closes and deletes the temp file of the message in progress, if any (abort, failure, or the handler
    /// left it in place).</summary>
    private async ValueTask DiscardDatasetAsync()
    {
        if (_datasetFile is not null)
        {
            await _datasetFile.DisposeAsync().ConfigureAwait(false);
            _datasetFile = null;
        }
        if (_datasetPath is not null)
        {
            try
            {
                File.Delete(_datasetPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
            _datasetPath = null;
        }
    }
}
