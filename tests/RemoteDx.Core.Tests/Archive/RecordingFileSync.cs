using RemoteDx.Core.Archive;

namespace RemoteDx.Core.Tests.Archive;

/// <summary>The real fsyncs, each recorded in the shared <see cref="EventLog"/> (with the names a synced directory held
/// at that moment, so a test can tell a rename came first), or failing on request.</summary>
public sealed class RecordingFileSync(EventLog log) : IFileSync
{
    /// <summary>A file or directory sync for which this returns true throws <see cref="IOException"/> instead.</summary>
    public Func<string, bool> FailFile { get; set; } = static _ => false;

    public Func<string, bool> FailDirectory { get; set; } = static _ => false;

    /// <summary>Time a directory sync takes (so an implementation that does not wait for it answers too early).</summary>
    public TimeSpan DirectoryDelay { get; set; } = TimeSpan.Zero;

    public void SyncFile(string path)
    {
        if (FailFile(path))
        {
            log.Add($"sync-file-failed {path}");
            throw new IOException($"fsync of {path} failed (test)");
        }
        OsFileSync.Instance.SyncFile(path);
        log.Add($"sync-file {path}");
    }

    public void SyncDirectory(string path)
    {
        if (DirectoryDelay > TimeSpan.Zero)
        {
            Thread.Sleep(DirectoryDelay);
        }
        if (FailDirectory(path))
        {
            log.Add($"sync-dir-failed {path}");
            throw new IOException($"fsync of directory {path} failed (test)");
        }
        var names = Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        OsFileSync.Instance.SyncDirectory(path);
        log.Add($"sync-dir {path} [{string.Join(' ', names)}]");
    }
}
