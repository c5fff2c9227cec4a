namespace RemoteDx.Core.Tests.Archive;

/// <summary>An ordered, thread-safe record of what the seams saw ("sync-file PATH", "commit SOP", "response SOP 0000").</summary>
public sealed class EventLog
{
    private readonly List<string> _events = [];

    public void Add(string entry)
    {
        lock (_events)
        {
            _events.Add(entry);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_events)
        {
            return [.. _events];
        }
    }

    /// <summary>Index of the first entry starting with <paramref name="prefix"/>; fails the test when there is none.</summary>
    public int IndexOf(string prefix)
    {
        var events = Snapshot();
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].StartsWith(prefix, StringComparison.Ordinal))
            {
                return i;
            }
        }
        Assert.Fail($"no event '{prefix}...' in:\n{string.Join('\n', events)}");
        return -1;
    }

    public bool Any(string prefix) => Snapshot().Any(e => e.StartsWith(prefix, StringComparison.Ordinal));

    public override string ToString() => string.Join('\n', Snapshot());
}
