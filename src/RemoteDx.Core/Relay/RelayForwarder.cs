// DESIGN.md "Relay": forward the queue to the hub, oldest first, with backoff; an instance leaves only after the hub's 0000
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Pipeline;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Relay;

/// <summary>Sends what <see cref="RelayQueue"/> holds to the hub with <see cref="StoreSender"/>, presenting the clinic's
/// AE title. Success or warning: the instance leaves the queue. A transient failure (no association, a broken link,
/// an A7xx "out of resources" status) keeps it queued and the forwarder waits <see cref="ExponentialBackoff"/> before the
/// next try, without operator action. Any other failure status, or an instance the hub's association breaks on twice
/// (<see cref="StoreResultKind.Aborted"/>), moves it to <c>failed/</c> with the status and error comment. With
/// <paramref name="compress"/> (JPEG-LS or JPEG 2000 Lossless) native pixel data is re-encoded by
/// <see cref="LosslessTranscoder"/> where the hub accepted that syntax; the queued file itself is never changed.</summary>
public sealed partial class RelayForwarder(RelayQueue queue, DicomClientOptions hub, ILogger logger, ExponentialBackoff? backoff = null,
    int batchSize = 64, TransferSyntax? compress = null)
{
    private readonly ExponentialBackoff _backoff = backoff ?? new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    private readonly SemaphoreSlim _wake = new(0);
    private long _sent;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private DateTimeOffset? _lastDeliveryAt;

    /// <summary>Runs until <paramref name="ct"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken ct) => RunAsync(ct, ct);

    /// <summary>Runs until <paramref name="drain"/> fires (SIGTERM): then no new batch starts, a wait or backoff ends, and
    /// the batch in flight is finished unless <paramref name="abort"/> fires too (the drain deadline, a second SIGTERM),
    /// which cuts the association to the hub. Either way an instance leaves the queue only after the hub's 0000, so what
    /// was not acknowledged stays queued for the next start.</summary>
    public async Task RunAsync(CancellationToken drain, CancellationToken abort)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(drain, abort);
        var stop = either.Token;
        queue.Enqueued += Wake;
        _sent = RelayStatus.ReadState(queue.DataDirectory)?.Sent ?? 0;
        try
        {
            var failures = 0;
            while (!stop.IsCancellationRequested)
            {
                var batch = queue.Pending(batchSize);
                if (batch.Count == 0)
                {
                    WriteState(0, null);
                    await WaitAsync(TimeSpan.FromSeconds(5), stop).ConfigureAwait(false);
                    continue;
                }
                bool transient;
                try
                {
                    transient = await ForwardAsync(batch, abort).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The queue folder itself failed (disk full, permissions): nothing was lost, try again later.
                    NoteError("queue folder: " + ex.Message);
                    transient = true;
                }
                if (transient)
                {
                    failures++;
                    var delay = _backoff.After(failures);
                    LogBackoff(delay.TotalSeconds, _lastError ?? "");
                    WriteState(0, DateTimeOffset.UtcNow + delay);
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                else
                {
                    failures = 0;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Enqueued -= Wake;
            WriteState(0, null);
        }
    }

    /// <summary>One pass over <paramref name="batch"/>; true when something is left for a later try.</summary>
    public async Task<bool> ForwardAsync(IReadOnlyList<string> batch, CancellationToken ct)
    {
        WriteState(batch.Count, null);
        var transient = false;
        var perStudy = new Dictionary<string, int>(StringComparer.Ordinal);
        await new StoreSender(hub, Compression()).SendAsync(batch, r =>
        {
            switch (r.Kind)
            {
                case StoreResultKind.Success or StoreResultKind.Warning:
                    queue.Delivered(r.Path);
                    _sent++;
                    _lastDeliveryAt = DateTimeOffset.UtcNow;
                    var study = RelayQueue.StudyOf(r.Path);
                    perStudy[study] = perStudy.GetValueOrDefault(study) + 1;
                    break;
                case StoreResultKind.Failure when r.Status is { } st && IsTransient(st.Code):
                    transient = true;
                    NoteError($"hub answered {st}");
                    break;
                case StoreResultKind.Failure:
                    queue.Failed(r.Path, r.Status!.Value.Code, r.Status.Value.ErrorComment);
                    NoteError($"hub refused {Path.GetFileName(r.Path)}: {r.Status}");
                    LogRefused(Path.GetFileName(r.Path), r.Status.Value.Code, r.Status.Value.ErrorComment ?? "");
                    break;
                case StoreResultKind.Refused or StoreResultKind.Aborted:
                    queue.Failed(r.Path, null, r.Error);
                    NoteError($"{Path.GetFileName(r.Path)}: {r.Error}");
                    LogRefused(Path.GetFileName(r.Path), 0, r.Error ?? "");
                    break;
                default:
                    transient = true;
                    NoteError(r.Error ?? "not sent");
                    break;
            }
            return ValueTask.CompletedTask;
        }, ct).ConfigureAwait(false);
        foreach (var (study, count) in perStudy)
        {
            LogForwarded(study, count, hub.CalledAE);
        }
        WriteState(0, null);
        return transient;
    }

    private StoreCompression? Compression() => compress is null ? null : new StoreCompression(compress, path =>
    {
        var encoded = LosslessTranscoder.TryEncode(DicomFile.Open(path), compress, out var reason);
        if (encoded is null)
        {
            LogSentAsIs(Path.GetFileName(path), compress.Name, reason ?? "");
        }
        return encoded;
    });

    /// <summary>PS3.4 B.2.3: A7xx is "out of resources", worth another try; every other failure status is the hub's
    /// final word on that instance.</summary>
    private static bool IsTransient(ushort code) => (code & 0xFF00) == 0xA700;

    private void NoteError(string error)
    {
        _lastError = error;
        _lastErrorAt = DateTimeOffset.UtcNow;
    }

    private void Wake() => _wake.Release();

    private async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _wake.WaitAsync(timeout, ct).ConfigureAwait(false);
        while (_wake.CurrentCount > 0)
        {
            await _wake.WaitAsync(0, ct).ConfigureAwait(false);
        }
    }

    private void WriteState(int inFlight, DateTimeOffset? next)
    {
        try
        {
            var path = Path.Combine(queue.DataDirectory, "relay-state.json");
            var temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(new ForwarderState(inFlight, _sent, _lastError, _lastErrorAt, _lastDeliveryAt, next),
                RelayJson.Options));
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException ex)
        {
            LogStateNotWritten(ex.Message);
        }
    }

    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "forwarded {Count} instances of study {StudyInstanceUid} to {HubAe}")]
    private partial void LogForwarded(string studyInstanceUid, int count, string hubAe);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "hub refused {File} (status {Status:X4} {Comment}); moved to failed/")]
    private partial void LogRefused(string file, ushort status, string comment);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "hub not reachable or busy; next try in {Seconds:0.#} s: {Error}")]
    private partial void LogBackoff(double seconds, string error);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Debug, Message = "{File} forwarded as it is, not in {Syntax}: {Reason}")]
    private partial void LogSentAsIs(string file, string syntax, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "relay-state.json not written: {Error}")]
    private partial void LogStateNotWritten(string error);
}
