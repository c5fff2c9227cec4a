// PS3.4 B.2 Storage SCU behaviour for many files: as few associations as possible (PS3.8 7.1), and an instance that
// makes the peer abort is isolated so the rest still go
using System.Net.Sockets;
using System.Security.Authentication;

namespace RemoteDx.Dicom.Network;

/// <summary>Sends many Part 10 files, one association per group of presentation contexts. When an association breaks
/// while an instance is in flight, that instance is retried once alone in a fresh association; if that breaks too it
/// is set aside (<see cref="StoreResultKind.Aborted"/>) with its reason and the remaining files go on in a new
/// association. With <paramref name="compression"/>, native files go re-encoded where the peer accepted that syntax.
/// Used by <c>remotedx send</c> and the relay's forwarder.</summary>
public sealed class StoreSender(DicomClientOptions options, StoreCompression? compression = null)
{
    /// <summary>Sends <paramref name="files"/> in order; <paramref name="report"/> is called once per file, in the order
    /// the outcomes become known. Cancellation stops between files (the file in flight is reported
    /// <see cref="StoreResultKind.NotSent"/> only if it was not answered).</summary>
    public async Task SendAsync(IReadOnlyList<string> files, Func<StoreResult, ValueTask> report, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(report);
        var unreadable = new List<(string Path, string Error)>();
        var groups = PresentationContextProposal.ForFiles(files, unreadable, compression?.Syntax);
        foreach (var (path, error) in unreadable)
        {
            await report(new StoreResult(path, StoreResultKind.Refused, null, "not sent: " + error)).ConfigureAwait(false);
        }
        foreach (var (contexts, groupFiles) in groups)
        {
            await SendGroupAsync(contexts, groupFiles, report, ct).ConfigureAwait(false);
        }
    }

    private async Task SendGroupAsync(IReadOnlyList<PresentationContextProposal> contexts, IReadOnlyList<string> files,
        Func<StoreResult, ValueTask> report, CancellationToken ct)
    {
        var next = 0;
        while (next < files.Count)
        {
            ct.ThrowIfCancellationRequested();
            DicomClient client;
            try
            {
                client = await DicomClient.ConnectAsync(options, contexts, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectFailure(ex, ct))
            {
                for (; next < files.Count; next++)
                {
                    await report(new StoreResult(files[next], StoreResultKind.NotSent, null, "association failed: " + ex.Message)).ConfigureAwait(false);
                }
                return;
            }
            string? broken = null;
            string? reason = null;
            await using (client.ConfigureAwait(false))
            {
                while (next < files.Count && broken is null)
                {
                    var file = files[next++];
                    try
                    {
                        var result = await StoreOneAsync(client, file, ct).ConfigureAwait(false);
                        await report(result).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsBrokenAssociation(ex, ct))
                    {
                        (broken, reason) = (file, ex.Message);
                    }
                }
                if (broken is null)
                {
                    await ReleaseQuietlyAsync(client, ct).ConfigureAwait(false);
                }
            }
            if (broken is not null)
            {
                // The association broke with this instance in flight: it may be the cause, or the link may be. Alone
                // in a fresh association it either goes, or it is the cause and is set aside.
                var alone = await SendAloneAsync(contexts, broken, reason!, ct).ConfigureAwait(false);
                await report(alone).ConfigureAwait(false);
                if (alone.Kind == StoreResultKind.NotSent)
                {
                    for (; next < files.Count; next++)
                    {
                        await report(new StoreResult(files[next], StoreResultKind.NotSent, null, alone.Error)).ConfigureAwait(false);
                    }
                    return;
                }
            }
        }
    }

    private async Task<StoreResult> SendAloneAsync(IReadOnlyList<PresentationContextProposal> contexts, string file, string firstReason,
        CancellationToken ct)
    {
        DicomClient client;
        try
        {
            client = await DicomClient.ConnectAsync(options, contexts, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectFailure(ex, ct))
        {
            return new StoreResult(file, StoreResultKind.NotSent, null, $"association failed: {ex.Message} (after: {firstReason})");
        }
        await using (client.ConfigureAwait(false))
        {
            try
            {
                var result = await StoreOneAsync(client, file, ct).ConfigureAwait(false);
                await ReleaseQuietlyAsync(client, ct).ConfigureAwait(false);
                return result;
            }
            catch (Exception ex) when (IsBrokenAssociation(ex, ct))
            {
                return new StoreResult(file, StoreResultKind.Aborted, null,
                    $"set aside: the association broke twice with this instance in flight, the second time alone ({ex.Message})");
            }
        }
    }

    private async Task<StoreResult> StoreOneAsync(DicomClient client, string file, CancellationToken ct)
    {
        DimseStatus status;
        try
        {
            var encoded = Compressed(client, file);
            status = encoded is null
                ? await client.StoreAsync(file, ct).ConfigureAwait(false)
                : await client.StoreAsync(encoded, ct).ConfigureAwait(false);
        }
        catch (DicomException ex) when (ex is not DicomAssociationAbortedException && client.IsEstablished)
        {
            // Our side refused before sending (no accepted context, unreadable file): the association is intact.
            return new StoreResult(file, StoreResultKind.Refused, null, ex.Message);
        }
        return status.Category switch
        {
            StatusCategory.Success => new StoreResult(file, StoreResultKind.Success, status, null),
            StatusCategory.Warning => new StoreResult(file, StoreResultKind.Warning, status, null),
            _ => new StoreResult(file, StoreResultKind.Failure, status, null),
        };
    }

    /// <summary>The re-encoded file when compression is asked for, the file is native and the peer accepted the syntax
    /// for its SOP class; otherwise null (send as it is).</summary>
    private DicomFile? Compressed(DicomClient client, string file)
    {
        if (compression is null)
        {
            return null;
        }
        var header = Part10Header.Read(file);
        if (header.TransferSyntax.IsEncapsulated
            || !client.AcceptedContexts.Any(pc => pc.AbstractSyntax == header.SopClassUid && pc.TransferSyntax.Uid == compression.Syntax.Uid))
        {
            return null;
        }
        return compression.Encode(file);
    }

    private static async Task ReleaseQuietlyAsync(DicomClient client, CancellationToken ct)
    {
        try
        {
            await client.ReleaseAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomException or IOException or TimeoutException or SocketException)
        {
            // Every instance was answered; a failed release loses nothing.
        }
    }

    private static bool IsConnectFailure(Exception ex, CancellationToken ct) =>
        ex is DicomException or IOException or SocketException or AuthenticationException or TimeoutException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    private static bool IsBrokenAssociation(Exception ex, CancellationToken ct) =>
        ex is DicomException or IOException or SocketException or TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested);
}

/// <summary>What became of one file.</summary>
public enum StoreResultKind
{
    /// <summary>Status 0000.</summary>
    Success,

    /// <summary>A warning status (the peer kept the instance).</summary>
    Warning,

    /// <summary>A failure status from the peer (<see cref="StoreResult.Status"/>).</summary>
    Failure,

    /// <summary>Not sent: refused on our side (unreadable file, no accepted presentation context).</summary>
    Refused,

    /// <summary>Set aside: the association broke with it in flight, again when it was sent alone.</summary>
    Aborted,

    /// <summary>Not sent: no association could be established (peer down, link broken); worth trying again later.</summary>
    NotSent,
}

/// <summary>One file's outcome: the peer's status, or why there is none.</summary>
public sealed record StoreResult(string Path, StoreResultKind Kind, DimseStatus? Status, string? Error)
{
    /// <summary>The peer kept the instance (success or warning).</summary>
    public bool Delivered => Kind is StoreResultKind.Success or StoreResultKind.Warning;
}
