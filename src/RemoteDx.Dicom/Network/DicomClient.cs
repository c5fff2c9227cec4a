// PS3.7 9.1.1 / 9.1.5 C-STORE and C-ECHO as SCU over one association (PS3.8 7.1 association requestor)
using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Dicom.Network;

/// <summary>An association we requested. One operation at a time (asynchronous operations window 1).</summary>
public sealed class DicomClient : IAsyncDisposable
{
    private readonly Dul _dul;
    private readonly DicomClientOptions _options;
    private ushort _messageId;

    private DicomClient(Dul dul, DicomClientOptions options, AAssociateAc accept, IReadOnlyList<AcceptedPresentationContext> contexts)
    {
        _dul = dul;
        _options = options;
        Accept = accept;
        AcceptedContexts = contexts;
    }

    /// <summary>The A-ASSOCIATE-AC as received.</summary>
    public AAssociateAc Accept { get; }

    public IReadOnlyList<AcceptedPresentationContext> AcceptedContexts { get; }

    /// <summary>The association is still in data transfer (PS3.8 Sta6): not aborted, released or broken.</summary>
    public bool IsEstablished => _dul.State == DulState.Sta6DataTransfer;

    /// <exception cref="DicomAssociationRejectedException">The peer rejected the association.</exception>
    /// <exception cref="DicomNetworkException">Connection, TLS or protocol failure.</exception>
    public static async Task<DicomClient> ConnectAsync(DicomClientOptions options, IReadOnlyList<PresentationContextProposal> contexts, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(contexts);
        if (contexts.Count is 0 or > PresentationContextProposal.MaxPerAssociation)
        {
            throw new ArgumentException($"{contexts.Count} presentation contexts proposed; 1-128 allowed (PS3.8 9.3.2.2)", nameof(contexts));
        }
        var tcp = new TcpClient { NoDelay = true };
        Stream stream;
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connect.CancelAfter(options.ConnectTimeout);
                try
                {
                    await tcp.ConnectAsync(options.Host, options.Port, connect.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new DicomNetworkException($"connecting to {options.Host}:{options.Port} timed out after {options.ConnectTimeout.TotalSeconds:0.#} s");
                }
                catch (SocketException ex)
                {
                    throw new DicomNetworkException($"cannot connect to {options.Host}:{options.Port}: {ex.Message}", ex);
                }
            }
            stream = new WriteTimeoutStream(tcp.GetStream(), options.DimseTimeout);
            if (options.TransportFilter is { } filter)
            {
                stream = filter(stream);
            }
            if (options.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                try
                {
                    using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    handshake.CancelAfter(options.ArtimTimeout);
                    await ssl.AuthenticateAsClientAsync(BuildTlsOptions(options), handshake.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    await ssl.DisposeAsync().ConfigureAwait(false);
                    throw new DicomNetworkException($"TLS handshake with {options.Host}:{options.Port} failed: {ex.Message}", ex);
                }
            }
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        var dul = new Dul(stream, tcp.Client, requestor: true, options.MaxPduLength, options.ArtimTimeout);
        try
        {
            var items = new List<PresentationContextItem>(contexts.Count);
            for (var i = 0; i < contexts.Count; i++)
            {
                items.Add(new PresentationContextItem((byte)(2 * i + 1), contexts[i].AbstractSyntax, contexts[i].TransferSyntaxes));
            }
            var rq = new AAssociateRq(Acse.ProtocolVersion, options.CalledAE, options.CallingAE, Acse.ApplicationContextName, items,
                new UserInformation
                {
                    MaximumLength = options.MaxPduLength,
                    ImplementationClassUid = DicomFile.ImplementationClassUid,
                    ImplementationVersionName = DicomFile.ImplementationVersionName,
                });
            await dul.SendAsync(rq, ct).ConfigureAwait(false);
            var answer = await dul.ReceiveAsync(options.ArtimTimeout, ct).ConfigureAwait(false);
            switch (answer)
            {
                case AAssociateAc ac:
                    var accepted = new List<AcceptedPresentationContext>();
                    foreach (var r in ac.PresentationContexts)
                    {
                        var proposed = items.Find(p => p.Id == r.Id);
                        if (r.Result == PresentationContextResult.Acceptance && proposed is not null && proposed.TransferSyntaxes.Contains(r.TransferSyntax))
                        {
                            accepted.Add(new AcceptedPresentationContext(r.Id, proposed.AbstractSyntax, TransferSyntax.Lookup(r.TransferSyntax)));
                        }
                    }
                    dul.PeerMaxPduLength = ac.UserInformation.MaximumLength;
                    return new DicomClient(dul, options, ac, accepted);
                case AAssociateRj rj:
                    throw new DicomAssociationRejectedException(rj);
                case AAbort ab:
                    throw new DicomAssociationAbortedException($"peer aborted the association request (source {(byte)ab.Source}, reason {ab.Reason})");
                default:
                    throw new DicomNetworkException($"{options.Host}:{options.Port} closed the connection during association negotiation");
            }
        }
        catch (TimeoutException ex)
        {
            await dul.DisposeAsync().ConfigureAwait(false);
            throw new DicomNetworkException($"no answer to A-ASSOCIATE-RQ from {options.Host}:{options.Port}: {ex.Message}", ex);
        }
        catch
        {
            await dul.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static SslClientAuthenticationOptions BuildTlsOptions(DicomClientOptions options)
    {
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = options.TlsServerName ?? options.Host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
        };
        if (options.RemoteCertificateValidation is { } callback)
        {
            tls.RemoteCertificateValidationCallback = callback;
        }
        else if (options.TrustedCertificates is { Count: > 0 } trusted)
        {
            tls.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }
                var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(cert);
            };
        }
        if (OperatingSystem.IsLinux())
        {
            tls.CipherSuitesPolicy = TlsPolicy.Bcp195CipherSuites();
        }
        return tls;
    }

    /// <summary>C-ECHO (PS3.7 9.1.5).</summary>
    public async Task<DimseStatus> EchoAsync(CancellationToken ct = default)
    {
        var pc = AcceptedContexts.FirstOrDefault(c => c.AbstractSyntax == DicomUids.Verification)
            ?? throw new DicomNetworkException("the peer did not accept the Verification SOP class");
        var id = NextMessageId();
        await DimseSender.SendCommandAsync(_dul, pc.Id, new DimseCommand
        {
            CommandField = DimseCommandField.CEchoRq,
            MessageId = id,
            AffectedSopClassUid = DicomUids.Verification,
        }, ct).ConfigureAwait(false);
        return await ReceiveResponseAsync(DimseCommandField.CEchoRsp, id, ct).ConfigureAwait(false);
    }

    /// <summary>C-STORE of a Part 10 file (PS3.7 9.1.1). The data set bytes are streamed from the file as they are when
    /// an accepted context has the file's own transfer syntax; a native file is otherwise re-encoded to explicit or
    /// implicit VR little endian. An encapsulated file whose syntax was not accepted fails with
    /// <see cref="DicomNetworkException"/>: pixel data is never dropped or recompressed.</summary>
    public async Task<DimseStatus> StoreAsync(string path, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var header = Part10Header.Read(path);
        var pc = ChooseContext(header.SopClassUid, header.TransferSyntax);
        if (pc.TransferSyntax.Uid == header.TransferSyntax.Uid)
        {
            var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (fs.ConfigureAwait(false))
            {
                fs.Position = header.DatasetOffset;
                // A file written by a tool that does not pad its deflated stream is sent padded (PS3.5 A.5).
                return await SendStoreAsync(pc, header.SopClassUid, header.SopInstanceUid, fs, header.DatasetLength, ct,
                    padToEven: header.TransferSyntax.IsDeflated).ConfigureAwait(false);
            }
        }
        var file = DicomReader.ReadFile(path);
        return await StoreTranscodedAsync(pc, file.Dataset, header.SopClassUid, header.SopInstanceUid, ct).ConfigureAwait(false);
    }

    /// <summary>C-STORE of an in-memory file, with the same transfer syntax rules as <see cref="StoreAsync(string, CancellationToken)"/>.</summary>
    public Task<DimseStatus> StoreAsync(DicomFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var sopClass = file.Dataset.GetString(Tag.SOPClassUID) ?? file.FileMetaInformation.GetString(Tag.MediaStorageSOPClassUID);
        var sopInstance = file.Dataset.GetString(Tag.SOPInstanceUID) ?? file.FileMetaInformation.GetString(Tag.MediaStorageSOPInstanceUID);
        if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance))
        {
            throw new DicomFormatException("data set has no SOP Class UID or SOP Instance UID", -1, Tag.SOPClassUID);
        }
        var pc = ChooseContext(sopClass, file.TransferSyntax);
        return StoreTranscodedAsync(pc, file.Dataset, sopClass, sopInstance, ct);
    }

    private async Task<DimseStatus> StoreTranscodedAsync(AcceptedPresentationContext pc, Dataset dataset, string sopClass, string sopInstance, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        DicomWriter.WriteDataset(ms, dataset, pc.TransferSyntax);
        ms.Position = 0;
        return await SendStoreAsync(pc, sopClass, sopInstance, ms, ms.Length, ct).ConfigureAwait(false);
    }

    private AcceptedPresentationContext ChooseContext(string sopClass, TransferSyntax syntax)
    {
        AcceptedPresentationContext? explicitLe = null, implicitLe = null;
        foreach (var pc in AcceptedContexts)
        {
            if (pc.AbstractSyntax != sopClass)
            {
                continue;
            }
            if (pc.TransferSyntax.Uid == syntax.Uid)
            {
                return pc;
            }
            if (pc.TransferSyntax.Uid == TransferSyntax.ExplicitVRLittleEndian.Uid)
            {
                explicitLe = pc;
            }
            else if (pc.TransferSyntax.Uid == TransferSyntax.ImplicitVRLittleEndian.Uid)
            {
                implicitLe = pc;
            }
        }
        var name = DicomUids.Lookup(sopClass)?.Name ?? sopClass;
        if (syntax.IsEncapsulated)
        {
            throw new DicomNetworkException($"{_options.CalledAE} did not accept {name} in {syntax.Name}; the file is encapsulated and is sent only in its own transfer syntax (pixel data is never dropped or recompressed)");
        }
        return explicitLe ?? implicitLe
            ?? throw new DicomNetworkException($"{_options.CalledAE} accepted no presentation context for {name} in {syntax.Name}, explicit or implicit VR little endian");
    }

    private async Task<DimseStatus> SendStoreAsync(AcceptedPresentationContext pc, string sopClass, string sopInstance, Stream dataset, long length, CancellationToken ct,
        bool padToEven = false)
    {
        var id = NextMessageId();
        await DimseSender.SendCommandAsync(_dul, pc.Id, new DimseCommand
        {
            CommandField = DimseCommandField.CStoreRq,
            MessageId = id,
            AffectedSopClassUid = sopClass,
            AffectedSopInstanceUid = sopInstance,
            Priority = DimsePriority.Medium,
            HasDataSet = true,
        }, ct).ConfigureAwait(false);
        await DimseSender.SendDataSetAsync(_dul, pc.Id, dataset, length, ct, padToEven).ConfigureAwait(false);
        return await ReceiveResponseAsync(DimseCommandField.CStoreRsp, id, ct).ConfigureAwait(false);
    }

    private ushort NextMessageId() => _messageId = (ushort)(_messageId == ushort.MaxValue ? 1 : _messageId + 1);

    private async Task<DimseStatus> ReceiveResponseAsync(DimseCommandField expected, ushort messageId, CancellationToken ct)
    {
        var command = new ArrayBufferWriter<byte>(256);
        while (true)
        {
            var pdu = await _dul.ReceiveAsync(_options.DimseTimeout, ct).ConfigureAwait(false);
            switch (pdu)
            {
                case PDataTf data:
                    using (data)
                    {
                        foreach (var pdv in data.Pdvs)
                        {
                            if (!pdv.IsCommand || command.WrittenCount + pdv.Data.Length > DimseCodec.MaxCommandLength)
                            {
                                await _dul.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified, CancellationToken.None).ConfigureAwait(false);
                                throw new DicomAssociationAbortedException("unexpected data set or oversized command in a response; association aborted");
                            }
                            command.Write(pdv.Data.Span);
                            if (pdv.IsLast)
                            {
                                var rsp = DimseCodec.Decode(command.WrittenSpan);
                                if (rsp.CommandField != expected || rsp.MessageIdBeingRespondedTo != messageId || rsp.Status is null)
                                {
                                    await _dul.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified, CancellationToken.None).ConfigureAwait(false);
                                    throw new DicomAssociationAbortedException($"expected {expected} for message {messageId}, got {rsp.CommandField} for {rsp.MessageIdBeingRespondedTo}");
                                }
                                return new DimseStatus(rsp.Status.Value, rsp.ErrorComment);
                            }
                        }
                    }
                    break;
                case AAbort ab:
                    throw new DicomAssociationAbortedException($"peer aborted the association (source {(byte)ab.Source}, reason {ab.Reason})");
                case AReleaseRq:
                    await _dul.SendAsync(new AReleaseRp(), ct).ConfigureAwait(false);
                    await _dul.WaitForPeerCloseAsync(ct).ConfigureAwait(false);
                    throw new DicomNetworkException("peer released the association before answering");
                default:
                    throw new DicomAssociationAbortedException("connection closed while waiting for a response");
            }
        }
    }

    /// <summary>Orderly release (PS3.8 7.2), including a release collision (Sta9-Sta11).</summary>
    public async Task ReleaseAsync(CancellationToken ct = default)
    {
        if (_dul.State != DulState.Sta6DataTransfer)
        {
            await _dul.CloseAsync().ConfigureAwait(false);
            return;
        }
        await _dul.SendAsync(new AReleaseRq(), ct).ConfigureAwait(false);
        while (_dul.State != DulState.Sta1Idle)
        {
            var pdu = await _dul.ReceiveAsync(_options.ArtimTimeout, ct).ConfigureAwait(false);
            switch (pdu)
            {
                case null or AReleaseRp or AAbort:
                    await _dul.CloseAsync().ConfigureAwait(false);
                    return;
                case AReleaseRq:
                    // Collision: we requested, so we answer first (AR-8 → Sta9, AR-9 → Sta11), then await their RP.
                    await _dul.SendAsync(new AReleaseRp(), ct).ConfigureAwait(false);
                    break;
                case PDataTf data:
                    data.Dispose();
                    break;
            }
        }
        await _dul.CloseAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dul.State == DulState.Sta6DataTransfer)
        {
            try
            {
                using var cts = new CancellationTokenSource(_options.ArtimTimeout);
                await ReleaseAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DicomException or IOException or TimeoutException or OperationCanceledException or SocketException)
            {
                await _dul.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified, CancellationToken.None).ConfigureAwait(false);
            }
        }
        await _dul.DisposeAsync().ConfigureAwait(false);
    }
}
