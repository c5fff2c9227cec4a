// The durability rule's sync points (DESIGN.md "Durability rule"): a file's data, then its directory's entries
namespace RemoteDx.Core.Archive;

/// <summary>The two syncs the archive depends on, behind one seam so that tests can record their order or make them
/// fail. <see cref="OsFileSync"/> is the real one.</summary>
public interface IFileSync
{
    /// <summary>Flushes a file's data (and the metadata needed to read it back) to stable storage: fsync(2).
    /// Throws <see cref="IOException"/> when the OS reports a failure.</summary>
    void SyncFile(string path);

    /// <summary>Flushes a directory's entries (new names, renames) to stable storage: fsync(2) on the directory.
    /// Throws <see cref="IOException"/> when the OS reports a failure.</summary>
    void SyncDirectory(string path);
}
