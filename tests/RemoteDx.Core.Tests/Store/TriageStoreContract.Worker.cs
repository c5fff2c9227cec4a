using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>The scoring worker's loop (JobProcessor) against each store, with a test-only scorer.</summary>
public abstract partial class TriageStoreContract
{
    private static string SampleFile => RemoteDx.Testing.Tool.PydicomTestFile("CT_small.dcm");

    private JobProcessor Processor(ITriageStore store, FixedScorer scorer, string worker, ScoringPolicy? policy = null) =>
        new(store, scorer, policy ?? new ScoringPolicy(), worker, NullLogger.Instance);

    [Fact]
    public async Task The_worker_writes_findings_heatmaps_and_the_job_completion_together()
    {
        var study = NewUid();
        var record = Instance(study, path: SampleFile);
        await Store.RecordInstanceAsync(record);
        var scorer = new FixedScorer(FixedScorer.Score(FixedScorer.Model("cxr", ("pneumothorax", 0.93f, true, true, 1f), ("nodule", 0.1f, false, false, 0.5f))));
        var processor = Processor(Store, scorer, "w1");
        Assert.Equal(1, await processor.RunOnceAsync(default));
        Assert.Equal(0, await processor.RunOnceAsync(default));

        var detail = (await Store.StudyAsync(study, Scope.All))!;
        Assert.Equal((StudyStatus.New, true), (detail.Study.Status, detail.Study.Stat));
        var instance = detail.Series[0].Instances[0];
        Assert.Equal(JobState.Done, instance.Job!.State);
        Assert.Equal(["nodule", "pneumothorax"], instance.Findings.Select(f => f.Label).Order(StringComparer.Ordinal));
        var png = await Store.HeatmapAsync(record.Archive.SopInstanceUid, "cxr", "pneumothorax");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png![..4]);
        Assert.Empty(await Store.UnfinishedJobsAsync());
    }

    [Fact]
    public async Task A_scorer_error_is_retried_and_then_the_job_fails_with_the_error()
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study, path: SampleFile));
        var scorer = new FixedScorer(FixedScorer.Score(), new InvalidDataException("bad pixels"));
        var policy = new ScoringPolicy { MaxAttempts = 2, BaseBackoff = TimeSpan.Zero };
        var processor = Processor(Store, scorer, "w1", policy);
        Assert.Equal(1, await processor.RunOnceAsync(default));
        Assert.Equal(JobState.Pending, Assert.Single(await Store.UnfinishedJobsAsync()).State);
        Assert.Equal(1, await processor.RunOnceAsync(default));
        Assert.Equal(0, await processor.RunOnceAsync(default));
        var failed = Assert.Single(await Store.JobsAsync(JobState.Failed, 10));
        Assert.Equal("InvalidDataException: bad pixels", failed.Error);
        Assert.Equal(2, scorer.Calls);
        Assert.Equal(StudyStatus.Failed, (await Store.StudyAsync(study, Scope.All))!.Study.Status);

        // A file that is not there fails the same way (and is not retried forever).
        await Store.RecordInstanceAsync(Instance(study, path: "/nonexistent/x.dcm"));
        await processor.RunOnceAsync(default);
        await processor.RunOnceAsync(default);
        Assert.Equal(2, (await Store.JobsAsync(JobState.Failed, 10)).Count);
    }

    [Fact]
    public async Task When_no_model_can_be_loaded_the_job_is_given_back_without_counting_the_attempt()
    {
        var study = NewUid();
        await Store.RecordInstanceAsync(Instance(study, path: SampleFile));
        var scorer = new FixedScorer(FixedScorer.Score(), new RemoteDx.Core.Inference.InferenceUnavailableException("no model could be loaded"));
        var processor = Processor(Store, scorer, "w1", new ScoringPolicy { MaxAttempts = 1, UnavailablePause = TimeSpan.FromHours(1) });
        Assert.Equal(1, await processor.RunOnceAsync(default));
        Assert.NotNull(processor.Unavailable);
        Assert.Equal(0, await processor.RunOnceAsync(default)); // paused: not due for an hour
        var job = Assert.Single(await Store.JobsAsync(JobState.Pending, 10));
        Assert.Equal(0, job.Attempts);
        Assert.Contains("no model could be loaded", job.Error, StringComparison.Ordinal);
        Assert.Empty(await Store.JobsAsync(JobState.Failed, 10));
        Assert.Equal(StudyStatus.Scoring, (await Store.StudyAsync(study, Scope.All))!.Study.Status);
    }

    [Fact]
    public async Task Two_workers_on_separate_store_objects_share_the_queue_and_score_each_job_once()
    {
        const int jobs = 40;
        for (var i = 0; i < jobs; i++)
        {
            await Store.RecordInstanceAsync(Instance(NewUid(), path: SampleFile));
        }
        var score = FixedScorer.Score(FixedScorer.Model("cxr", ("nodule", 0.7f, true, false, 1f)));
        var scorers = new[] { new FixedScorer(score) { Delay = TimeSpan.FromMilliseconds(2) }, new FixedScorer(score) { Delay = TimeSpan.FromMilliseconds(2) } };
        var stores = new[] { Store, PeerStore() };
        var done = new ConcurrentBag<long>();
        var processors = Enumerable.Range(0, 2).Select(i => Processor(stores[i], scorers[i], "node" + i)).ToList();
        foreach (var p in processors)
        {
            p.JobFinished += (job, outcome, _) =>
            {
                if (outcome == "done")
                {
                    done.Add(job.Id);
                }
            };
        }
        await Task.WhenAll(processors.Select(p => Task.Run(async () =>
        {
            while (await p.RunOnceAsync(default) > 0)
            {
            }
        })));
        Assert.Equal(jobs, scorers.Sum(s => s.Calls));
        Assert.Equal(jobs, done.Count);
        Assert.Equal(jobs, done.Distinct().Count());
        Assert.Equal(jobs, (await Store.JobCountsAsync())[JobState.Done]);
    }
}
