// PS3.8 9 DICOM upper layer service for one association: transport, state machine, ARTIM
using System.Net.Sockets;

namespace RemoteDx.Dicom.Network;

/// <summary>Drives <see cref="DulStateMachine"/> for one transport connection. Received PDUs that the state table
/// answers with AA-1/AA-7/AA-8, and PDUs the reader refuses, are answered with A-ABORT here, so callers only see
/// PDUs that are valid in the current state.</summary>
internal sealed class Dul : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly IDisposable? _transport;
    private readonly PduReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _closed;

    /// <param name="requestor">True for the SCU side: starts in Sta4 (transport just opened by us); false for the
    /// acceptor: starts in Sta2 with ARTIM running (AE-5).</param>
    public Dul(Stream stream, IDisposable? transport, bool requestor, uint ourMaxPduLength, TimeSpan artimTimeout)
    {
        _stream = stream;
        _transport = transport;
        _reader = new PduReader(stream, ourMaxPduLength);
        Requestor = requestor;
        Artim = new Artim(artimTimeout);
        if (requestor)
        {
            Fire(DulEvent.Evt1AssociateRequestLocal);
        }
        else
        {
            Fire(DulEvent.Evt5TransportIndication);
            Artim.Start();
        }
    }

    public DulState State { get; private set; } = DulState.Sta1Idle;

    public bool Requestor { get; }

    public Artim Artim { get; }

    /// <summary>The peer's Maximum Length for P-DATA-TF (0 = unlimited), known once the association is negotiated.</summary>
    public uint PeerMaxPduLength { get; set; }

    /// <summary>Why the association was aborted, for the audit trail.</summary>
    public string? AbortDescription { get; private set; }

    private DulAction Fire(DulEvent evt)
    {
        var (action, next) = DulStateMachine.Transition(State, evt, Requestor);
        State = next;
        return action;
    }

    /// <summary>Receives the next PDU valid in the current state; null when the peer closed the transport.</summary>
    /// <exception cref="TimeoutException">ARTIM, idle or DIMSE timeout (the association has been aborted or closed).</exception>
    /// <exception cref="DicomAssociationAbortedException">We aborted because of a bad or unexpected PDU.</exception>
    public async ValueTask<Pdu?> ReceiveAsync(TimeSpan timeout, CancellationToken ct)
    {
        while (true)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, Artim.Token);
            if (timeout != Timeout.InfiniteTimeSpan && !Artim.IsRunning)
            {
                cts.CancelAfter(timeout);
            }
            Pdu? pdu;
            try
            {
                pdu = await _reader.ReadAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (Artim.IsRunning)
                {
                    Fire(DulEvent.Evt18ArtimExpired);
                    AbortDescription = "timeout: ARTIM expired";
                    await CloseAsync().ConfigureAwait(false);
                    throw new TimeoutException($"ARTIM expired after {Artim.Timeout.TotalSeconds:0.#} s");
                }
                AbortDescription = $"timeout: nothing received for {timeout.TotalSeconds:0.#} s";
                await AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified, CancellationToken.None).ConfigureAwait(false);
                throw new TimeoutException($"nothing received for {timeout.TotalSeconds:0.#} s");
            }
            catch (DicomPduException ex)
            {
                AbortDescription = "aborted: " + ex.Message;
                var action = Fire(DulEvent.Evt19InvalidPdu);
                if (action is DulAction.AA1 or DulAction.AA7 or DulAction.AA8)
                {
                    await SendAbortAndCloseAsync(AbortSource.ServiceProvider, ex.AbortReason).ConfigureAwait(false);
                }
                else
                {
                    await CloseAsync().ConfigureAwait(false);
                }
                throw new DicomAssociationAbortedException("A-ABORT sent: " + ex.Message);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                AbortDescription ??= "aborted: transport closed (" + ex.Message + ")";
                Fire(DulEvent.Evt17TransportClosed);
                await CloseAsync().ConfigureAwait(false);
                return null;
            }
            if (pdu is null)
            {
                AbortDescription ??= "aborted: transport closed";
                Fire(DulEvent.Evt17TransportClosed);
                await CloseAsync().ConfigureAwait(false);
                return null;
            }
            var before = State;
            switch (Fire(DulStateMachine.EventFor(pdu.Type)))
            {
                case DulAction.AA6:
                    (pdu as IDisposable)?.Dispose();
                    continue;
                case DulAction.AA1 or DulAction.AA7 or DulAction.AA8:
                    (pdu as IDisposable)?.Dispose();
                    AbortDescription = $"aborted: unexpected {pdu.Type} PDU in {before}";
                    await SendAbortAndCloseAsync(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu).ConfigureAwait(false);
                    throw new DicomAssociationAbortedException($"A-ABORT sent: unexpected {pdu.Type} PDU in {before}");
                case DulAction.AA2 or DulAction.AA3:
                    AbortDescription = pdu is AAbort ab ? $"aborted: A-ABORT received (source {(byte)ab.Source}, reason {ab.Reason})" : "aborted";
                    await CloseAsync().ConfigureAwait(false);
                    return pdu;
                case DulAction.AE6:
                    Artim.Stop();
                    return pdu;
                case DulAction.AE4 or DulAction.AR3:
                    await CloseAsync().ConfigureAwait(false);
                    return pdu;
                default:
                    return pdu;
            }
        }
    }

    /// <summary>Sends an association or release PDU (local primitives Evt2/7/8/11/14).</summary>
    public async ValueTask SendAsync(Pdu pdu, CancellationToken ct)
    {
        var evt = pdu switch
        {
            AAssociateRq => DulEvent.Evt2TransportConfirm,
            AAssociateAc => DulEvent.Evt7AssociateAcceptLocal,
            AAssociateRj => DulEvent.Evt8AssociateRejectLocal,
            AReleaseRq => DulEvent.Evt11ReleaseRequestLocal,
            AReleaseRp => DulEvent.Evt14ReleaseResponseLocal,
            PDataTf => DulEvent.Evt9PDataRequestLocal,
            _ => throw new ArgumentException("use AbortAsync for A-ABORT", nameof(pdu)),
        };
        var action = Fire(evt);
        await WriteAsync(PduWriter.Encode(pdu), ct).ConfigureAwait(false);
        if (action is DulAction.AE8 or DulAction.AR4)
        {
            // Sta13: wait for the peer to close, bounded by ARTIM.
            Artim.Start();
        }
    }

    /// <summary>Sends one encoded P-DATA-TF PDU (DT-1 / AR-7).</summary>
    public ValueTask SendPDataAsync(ReadOnlyMemory<byte> pdu, CancellationToken ct)
    {
        Fire(DulEvent.Evt9PDataRequestLocal);
        return WriteAsync(pdu, ct);
    }

    /// <summary>A-ABORT request (Evt15): sends A-ABORT unless the transport is already going away, then closes.</summary>
    public async ValueTask AbortAsync(AbortSource source, byte reason, CancellationToken ct)
    {
        // Sta1, Sta2 and Sta13 have no Evt15 entry in PS3.8 Table 9-10: no association to abort, so only close.
        if (_closed || DulStateMachine.ActionFor(State, DulEvent.Evt15AbortRequestLocal) is null)
        {
            await CloseAsync().ConfigureAwait(false);
            return;
        }
        var action = Fire(DulEvent.Evt15AbortRequestLocal);
        if (action is DulAction.AA1)
        {
            await SendAbortAndCloseAsync(source, reason).ConfigureAwait(false);
        }
        else
        {
            await CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>In Sta13: reads and discards until the peer closes or ARTIM expires, then closes (AR-5 / AA-2).</summary>
    public async ValueTask WaitForPeerCloseAsync(CancellationToken ct)
    {
        if (_closed)
        {
            return;
        }
        if (!Artim.IsRunning)
        {
            Artim.Start();
        }
        var scratch = new byte[4096];
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, Artim.Token);
            while (await _stream.ReadAsync(scratch, cts.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        State = DulState.Sta1Idle;
        await CloseAsync().ConfigureAwait(false);
    }

    private async ValueTask SendAbortAndCloseAsync(AbortSource source, byte reason)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await WriteAsync(PduWriter.Encode(new AAbort(source, reason)), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            await CloseAsync().ConfigureAwait(false);
            return;
        }
        State = DulState.Sta13AwaitingTransportClose;
        // Give the peer a moment to read the A-ABORT before the socket goes: closing with unread input would reset
        // the connection and the peer could lose the A-ABORT.
        Artim.Stop();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(2, Artim.Timeout.TotalSeconds)));
        if (_transport is Socket s)
        {
            try
            {
                s.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
        }
        await WaitForPeerCloseAsync(grace.Token).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask CloseAsync()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        Artim.Stop();
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        _transport?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        Artim.Dispose();
        _writeLock.Dispose();
    }
}
