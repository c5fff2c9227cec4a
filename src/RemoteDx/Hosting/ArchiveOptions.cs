using RemoteDx.Core.Archive;

namespace RemoteDx.Hosting;

/// <summary>RemoteDx:Archive — when a C-STORE may be acknowledged (DESIGN.md "Durability modes",
/// docs/configuration.md).</summary>
public sealed class ArchiveOptions
{
    /// <summary>"full" (default): 0000 once file, folder entry and index row survive a power loss. "deferred": 0000 once
    /// they are in the OS; synced within <see cref="DeferredFlushMilliseconds"/>.</summary>
    public string Durability { get; set; } = "full";

    /// <summary>Deferred durability: the longest acknowledged data waits for its syncs (what a power loss may lose).</summary>
    public int DeferredFlushMilliseconds { get; set; } = 200;

    public ArchiveDurability Mode => Durability.Trim().ToLowerInvariant() == "deferred" ? ArchiveDurability.Deferred : ArchiveDurability.Full;

    public IEnumerable<string> Validate()
    {
        if (Durability.Trim().ToLowerInvariant() is not ("full" or "deferred"))
        {
            yield return $"RemoteDx:Archive:Durability '{Durability}' is not full or deferred";
        }
        if (DeferredFlushMilliseconds is < 1 or > 60000)
        {
            yield return $"RemoteDx:Archive:DeferredFlushMilliseconds {DeferredFlushMilliseconds} must be 1-60000";
        }
    }
}
