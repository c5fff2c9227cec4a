using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>Delivers the outbox (a study became STAT) to RemoteDx:Notifications:WebhookUrl as JSON POSTs, retried with
/// exponential backoff. The message was queued in the same transaction as the findings, so a crash loses none; a
/// receiver may see one twice and can tell by the X-RemoteDx-Delivery header.</summary>
public sealed partial class WebhookNotifier(ITriageStore store, IOptions<RemoteDxOptions> options, ILogger<WebhookNotifier> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.Notifications;
        if (string.IsNullOrEmpty(o.WebhookUrl))
        {
            return;
        }
        var url = new Uri(o.WebhookUrl);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds) };
        var worker = $"{Environment.MachineName}:{Environment.ProcessId}";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await store.ClaimOutboxAsync(worker, 10, TimeSpan.FromSeconds(o.TimeoutSeconds * 3), stoppingToken).ConfigureAwait(false);
                foreach (var m in batch)
                {
                    await DeliverAsync(http, url, m, o, stoppingToken).ConfigureAwait(false);
                }
                if (batch.Count == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStoreError(ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverAsync(HttpClient http, Uri url, OutboxMessage m, NotificationOptions o, CancellationToken ct)
    {
        string? error;
        try
        {
            using var body = new StringContent(m.Payload, Encoding.UTF8);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = body };
            request.Headers.Add("X-RemoteDx-Event", m.Kind);
            request.Headers.Add("X-RemoteDx-Delivery", m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
            error = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error = ex.GetType().Name + ": " + ex.Message;
        }
        if (error is null)
        {
            await store.OutboxSentAsync(m.Id, ct).ConfigureAwait(false);
            LogSent(m.Id, m.Kind);
            return;
        }
        var delay = new ExponentialBackoff(TimeSpan.FromSeconds(o.RetryBaseSeconds), TimeSpan.FromSeconds(o.RetryMaxSeconds)).After(m.Attempts);
        await store.OutboxFailedAsync(m.Id, error, o.MaxAttempts, DateTimeOffset.UtcNow + delay, ct).ConfigureAwait(false);
        LogFailed(m.Id, m.Attempts, error);
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "webhook: {Kind} message {Id} delivered")]
    private partial void LogSent(long id, string kind);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "webhook: message {Id} attempt {Attempt} failed: {Error}")]
    private partial void LogFailed(long id, int attempt, string error);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "webhook: outbox not readable: {ErrorType}: {Error}")]
    private partial void LogStoreError(string errorType, string error);
}
