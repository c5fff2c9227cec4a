// PS3.4 B.2 Storage SOP Class as SCU: results to the clinic's PACS from the durable outbox
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Results.Delivery;

/// <summary>How result deliveries are retried.</summary>
public sealed record DeliveryPolicy
{
    public string CallingAE { get; init; } = "REMOTEDX";

    public int MaxAttempts { get; init; } = 20;

    public ExponentialBackoff Backoff { get; init; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30));

    /// <summary>Deliveries sent on one association.</summary>
    public int Batch { get; init; } = 32;

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Sends queued result objects (<see cref="ITriageStore.ClaimDeliveriesAsync"/>) to their destination with
/// RemoteDx's own SCU (<see cref="DicomClient"/>), one association per destination and batch. 0000 or a warning (Bxxx)
/// is delivered; anything else (refusal, no association, a dropped connection) is retried with
/// <see cref="ExponentialBackoff"/> and, after <see cref="DeliveryPolicy.MaxAttempts"/>, failed for good. Every outcome
/// counts in remotedx_result_deliveries_total{outcome} (meter <see cref="MeterName"/>).</summary>
public sealed partial class ResultSender : IDisposable
{
    public const string MeterName = "RemoteDx.Results";

    private readonly ITriageStore _store;
    private readonly ResultRouting _routing;
    private readonly DeliveryPolicy _policy;
    private readonly ILogger _log;
    private readonly string _worker = $"{Environment.MachineName}:{Environment.ProcessId}:results";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _deliveries;

    public ResultSender(ITriageStore store, ResultRouting routing, DeliveryPolicy policy, ILogger logger)
    {
        _store = store;
        _routing = routing;
        _policy = policy;
        _log = logger;
        _deliveries = _meter.CreateCounter<long>("remotedx.result.deliveries",
            description: "C-STORE deliveries of result objects to clinic destinations, by outcome (sent, retry, failed)");
    }

    /// <summary>One pass over every destination; returns how many deliveries were attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var attempted = 0;
        foreach (var destination in _routing.Distinct())
        {
            var batch = await _store.ClaimDeliveriesAsync(destination.Key, _worker, _policy.Batch, _policy.Lease, ct).ConfigureAwait(false);
            if (batch.Count > 0)
            {
                attempted += batch.Count;
                await SendAsync(destination, batch, ct).ConfigureAwait(false);
            }
        }
        return attempted;
    }

    private async Task SendAsync(ResultDestination destination, IReadOnlyList<ClaimedDelivery> batch, CancellationToken ct)
    {
        var unreadable = new List<(string Path, string Error)>();
        var groups = PresentationContextProposal.ForFiles(batch.Select(d => d.Path).Distinct(StringComparer.Ordinal).ToList(), unreadable);
        var byPath = batch.ToLookup(d => d.Path, StringComparer.Ordinal);
        foreach (var (path, error) in unreadable)
        {
            foreach (var d in byPath[path])
            {
                await FailAsync(d, "not readable: " + error, ct).ConfigureAwait(false);
            }
        }
        foreach (var (contexts, files) in groups)
        {
            var options = new DicomClientOptions
            {
                Host = destination.Host, Port = destination.Port, CalledAE = destination.AeTitle, CallingAE = _policy.CallingAE,
                Tls = destination.Tls, TrustedCertificates = destination.TrustedCa, ClientCertificate = destination.ClientCertificate,
                TlsServerName = destination.ServerName, ConnectTimeout = _policy.Timeout, ArtimTimeout = _policy.Timeout, DimseTimeout = _policy.Timeout,
            };
            DicomClient client;
            try
            {
                client = await DicomClient.ConnectAsync(options, contexts, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex, ct))
            {
                foreach (var d in files.SelectMany(f => byPath[f]))
                {
                    await FailAsync(d, "association failed: " + ex.Message, ct).ConfigureAwait(false);
                }
                continue;
            }
            await using (client.ConfigureAwait(false))
            {
                string? broken = null;
                foreach (var d in files.SelectMany(f => byPath[f]))
                {
                    if (broken is not null)
                    {
                        await FailAsync(d, broken, ct).ConfigureAwait(false);
                        continue;
                    }
                    try
                    {
                        var status = await client.StoreAsync(d.Path, ct).ConfigureAwait(false);
                        if (status.Code == 0 || (status.Code & 0xF000) == 0xB000)
                        {
                            await _store.DeliverySentAsync(d.Id, ct).ConfigureAwait(false);
                            _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", "sent"));
                            LogSent(d.SopInstanceUid, destination.Key);
                        }
                        else
                        {
                            await FailAsync(d, "C-STORE status " + status.Code.ToString("X4", CultureInfo.InvariantCulture) +
                                (status.ErrorComment is { } c ? " " + c : ""), ct).ConfigureAwait(false);
                        }
                    }
                    catch (Exception ex) when (IsTransportFailure(ex, ct))
                    {
                        broken = "association lost: " + ex.Message;
                        await FailAsync(d, broken, ct).ConfigureAwait(false);
                    }
                }
                if (broken is null)
                {
                    try
                    {
                        await client.ReleaseAsync(ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsTransportFailure(ex, ct))
                    {
                        // Everything was answered; a release that goes wrong changes nothing.
                    }
                }
            }
        }
    }

    private static bool IsTransportFailure(Exception ex, CancellationToken ct) =>
        !ct.IsCancellationRequested && ex is DicomException or IOException or System.Net.Sockets.SocketException
            or System.Security.Authentication.AuthenticationException or TimeoutException or OperationCanceledException;

    private async Task FailAsync(ClaimedDelivery d, string error, CancellationToken ct)
    {
        error = error.ReplaceLineEndings(" ");
        var failure = await _store.DeliveryFailedAsync(d.Id, error, _policy.MaxAttempts, DateTimeOffset.UtcNow + _policy.Backoff.After(d.Attempts), ct)
            .ConfigureAwait(false);
        _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", failure.Permanent ? "failed" : "retry"));
        LogFailed(d.SopInstanceUid, d.Destination, d.Attempts, failure.RetryAt, error);
    }

    public void Dispose() => _meter.Dispose();

    [LoggerMessage(EventId = 3310, Level = LogLevel.Information, Message = "result {SopInstanceUid} delivered to {Destination}")]
    private partial void LogSent(string sopInstanceUid, string destination);

    [LoggerMessage(EventId = 3311, Level = LogLevel.Warning, Message = "result {SopInstanceUid} to {Destination}: attempt {Attempt} failed (retry at {RetryAt:O}): {Error}")]
    private partial void LogFailed(string sopInstanceUid, string destination, int attempt, DateTimeOffset? retryAt, string error);
}
