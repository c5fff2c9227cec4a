using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>DESIGN.md "Durability modes": on SIGTERM a scoring worker hands its unfinished job back (lease released,
/// the attempt not counted), so the next start claims it at once instead of waiting for the lease to expire.</summary>
public sealed class JobHandBackTests
{
    private sealed class ScoresUntilCancelled : IImageScorer
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ImageScore> ScoreAsync(DicomFile file, CancellationToken ct = default)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Fact]
    public async Task A_job_interrupted_by_shutdown_goes_back_to_the_queue_unleased_and_uncounted()
    {
        await using var h = await IngestHarness.StartAsync();
        Assert.Equal(0x0000, (await h.SendAsync(IngestHarness.Instance())).Code);
        var scorer = new ScoresUntilCancelled();
        var policy = new ScoringPolicy { Lease = TimeSpan.FromHours(1) };
        var processor = new JobProcessor(h.Sqlite, scorer, policy, "node:1", NullLogger.Instance);

        using var shutdown = new CancellationTokenSource();
        var run = processor.RunOnceAsync(shutdown.Token);
        await scorer.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await shutdown.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        var job = Assert.Single(await h.Sqlite.UnfinishedJobsAsync());
        Assert.Equal("pending", job.State);
        Assert.Equal(0, job.Attempts);
        // Another worker claims it now, not an hour later.
        var claimed = await h.Sqlite.ClaimJobsAsync("node:2", 10, TimeSpan.FromMinutes(5), policy.MaxAttempts);
        Assert.Equal(job.Id, Assert.Single(claimed).Id);
    }
}
