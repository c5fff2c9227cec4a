using System.Collections.Concurrent;
using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>Counts the ingest service's signals.</summary>
public sealed class CountingSignals : IIngestSignals
{
    private int _jobs;

    public int Jobs => Volatile.Read(ref _jobs);

    public ConcurrentQueue<(ushort Status, int Count)> Responses { get; } = new();

    public void JobQueued() => Interlocked.Increment(ref _jobs);

    public void ResponsesSent(ushort status, int count) => Responses.Enqueue((status, count));
}
