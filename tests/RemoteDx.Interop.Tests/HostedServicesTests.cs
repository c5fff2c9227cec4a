using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Store;
using RemoteDx.Core.Tests.Store;
using RemoteDx.Hosting;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>serve's background services in process, on a real SQLite store: the scoring worker (with and without a
/// scorer) and the STAT webhook against a loopback receiver.</summary>
public sealed class HostedServicesTests : IAsyncLifetime
{
    private readonly string _root = TempDirectory.ForTestRun("hosted");
    private ITriageStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteTriageStore(Path.Combine(_root, "remotedx.db"), new TriageStoreOptions { QueueStatNotifications = true });
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        TempDirectory.TryDelete(_root);
    }

    private static IOptions<RemoteDxOptions> Options(Action<RemoteDxOptions> edit)
    {
        var o = new RemoteDxOptions();
        edit(o);
        return Microsoft.Extensions.Options.Options.Create(o);
    }

    private static readonly ImageScore Stat = FixedScorer.Score(FixedScorer.Model("cxr-triage", ("pneumothorax", 0.93f, true, true, 1f)));

    private ScoringWorker Worker(IImageScorer? scorer)
    {
        var services = new ServiceCollection();
        if (scorer is not null)
        {
            services.AddSingleton(scorer);
        }
        return new ScoringWorker(services.BuildServiceProvider(), _store, Options(o => o.Scoring.Workers = 2), new JobSignal(), new PipelineMetrics(),
            NullLoggerFactory.Instance);
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_scoring_worker_scores_queued_jobs_with_the_registered_scorer()
    {
        var study = StoreData.NewUid();
        await _store.RecordInstanceAsync(StoreData.Instance(study, path: Tool.PydicomTestFile("CT_small.dcm")));
        var scorer = new FixedScorer(Stat);
        var worker = Worker(scorer);
        await worker.StartAsync(default);
        await Eventually(async () => (await _store.JobCountsAsync())[JobState.Done] == 1, "the job is done");
        await worker.StopAsync(default);
        var item = Assert.Single((await _store.WorklistAsync(new WorklistQuery())).Items);
        Assert.True(item.Stat);
        Assert.Equal(1, scorer.Calls);
    }

    [Fact]
    public async Task Without_a_registered_scorer_the_worker_does_not_run_and_jobs_stay_queued()
    {
        await _store.RecordInstanceAsync(StoreData.Instance(StoreData.NewUid(), path: Tool.PydicomTestFile("CT_small.dcm")));
        var worker = Worker(null);
        await worker.StartAsync(default);
        await worker.ExecuteTask!;
        Assert.Equal(JobState.Pending, Assert.Single(await _store.UnfinishedJobsAsync()).State);
    }

    [Fact]
    public async Task A_study_turning_STAT_is_posted_to_the_webhook_and_retried_after_a_failure()
    {
        var port = LoopbackPort.Free();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var received = new ConcurrentQueue<(string Body, string? Event, string? Delivery)>();
        var receiver = Task.Run(async () =>
        {
            var n = 0;
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
                received.Enqueue((await reader.ReadToEndAsync(), ctx.Request.Headers["X-RemoteDx-Event"], ctx.Request.Headers["X-RemoteDx-Delivery"]));
                ctx.Response.StatusCode = ++n == 1 ? 500 : 204; // the first delivery fails
                ctx.Response.Close();
            }
        });

        var study = StoreData.NewUid();
        await _store.RecordInstanceAsync(StoreData.Instance(study));
        var job = Assert.Single(await _store.ClaimJobsAsync("w", 1, TimeSpan.FromMinutes(5), 5));
        Assert.True(await _store.CompleteJobAsync(job, Stat, []));

        var notifier = new WebhookNotifier(_store, Options(o =>
        {
            o.Notifications.WebhookUrl = $"http://127.0.0.1:{port}/hook/";
            o.Notifications.RetryBaseSeconds = 0.05;
        }), NullLogger<WebhookNotifier>.Instance);
        await notifier.StartAsync(default);
        await Eventually(() => Task.FromResult(received.Count >= 2), "the webhook got the message again after a 500");
        await notifier.StopAsync(default);
        listener.Stop();
        await receiver;

        var deliveries = received.ToList();
        Assert.All(deliveries, d => Assert.Equal("study.stat", d.Event));
        Assert.Equal(deliveries[0].Delivery, deliveries[1].Delivery);
        using var json = System.Text.Json.JsonDocument.Parse(deliveries[1].Body);
        Assert.Equal(study, json.RootElement.GetProperty("studyInstanceUid").GetString());
        Assert.Equal("pneumothorax", json.RootElement.GetProperty("findings")[0].GetProperty("label").GetString());
        Assert.DoesNotContain("DOE", deliveries[1].Body, StringComparison.Ordinal);
        Assert.Equal(2, deliveries.Count); // sent, so not again
        Assert.Empty(await _store.ClaimOutboxAsync("x", 10, TimeSpan.FromMinutes(1)));
    }
}
