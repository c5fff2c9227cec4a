// Directory creation under the durability rule: a new directory entry is durable once its parent is synced
namespace RemoteDx.Core.Archive;

/// <summary>Creates directories whose existence survives a power loss.</summary>
public static class DurableFile
{
    /// <summary>Creates a directory chain, syncing (through <paramref name="sync"/>) each parent whose entry list
    /// changed.</summary>
    public static void CreateDirectoryDurably(string path, IFileSync sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return;
        }
        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectoryDurably(parent, sync);
        }
        Directory.CreateDirectory(full);
        if (parent is not null)
        {
            sync.SyncDirectory(parent);
        }
    }
}
