using System.Diagnostics;

namespace RemoteDx.Core.Batch;

/// <summary>Counters a progress display polls while a batch runs (updated by the pipeline, read by anyone).</summary>
public sealed class BatchProgress
{
    private long _done;
    private long _failed;
    private long _notApplicable;
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Files this run will attempt (resumed files excluded).</summary>
    public long Total { get; set; }

    /// <summary>Files already in the output and skipped (<c>--resume</c>).</summary>
    public long Skipped { get; set; }

    public long Done => Interlocked.Read(ref _done);

    public long Failed => Interlocked.Read(ref _failed);

    public long NotApplicable => Interlocked.Read(ref _notApplicable);

    public long Scored => Done - Failed - NotApplicable;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>Files per second since the start.</summary>
    public double Rate => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    public TimeSpan? Remaining
    {
        get
        {
            var rate = Rate;
            return rate > 0 ? TimeSpan.FromSeconds((Total - Done) / rate) : null;
        }
    }

    internal void Record(BatchStatus status)
    {
        if (status == BatchStatus.Error)
        {
            Interlocked.Increment(ref _failed);
        }
        else if (status == BatchStatus.NotApplicable)
        {
            Interlocked.Increment(ref _notApplicable);
        }
        Interlocked.Increment(ref _done);
    }
}
