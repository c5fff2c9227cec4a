// DESIGN.md "Durability modes": when a C-STORE may be answered 0000
namespace RemoteDx.Core.Archive;

/// <summary>How durable an instance is when it is acknowledged (<c>RemoteDx:Archive:Durability</c>).</summary>
public enum ArchiveDurability
{
    /// <summary>0000 only once the instance's file, its folder entry and its index row survive a power loss (fsyncs
    /// shared by every association waiting at that moment).</summary>
    Full,

    /// <summary>0000 once the file and the index row are in the operating system (a crash of the process loses nothing);
    /// the syncs follow in the background within the flush interval, so a power loss may lose that last window.</summary>
    Deferred,
}
