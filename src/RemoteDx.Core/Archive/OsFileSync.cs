// POSIX fsync(2) for files and directories: a rename is durable only once its directory is synced
using System.Runtime.InteropServices;

namespace RemoteDx.Core.Archive;

/// <summary>The real <see cref="IFileSync"/>: fdatasync(2) for files (their data and the size needed to read it back,
/// not timestamps) and fsync(2) for directories, both through libc on Linux (.NET has neither fdatasync nor a directory
/// sync); elsewhere the runtime's fsync for files, and directory sync is a no-op.</summary>
public sealed partial class OsFileSync : IFileSync
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000; // Linux x86-64/arm64

    public static OsFileSync Instance { get; } = new();

    private OsFileSync()
    {
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(Microsoft.Win32.SafeHandles.SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    public void SyncFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        if (Fdatasync(handle) != 0)
        {
            throw new IOException($"fdatasync of {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    public void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(path, ORdOnly | ODirectory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            Close(fd);
        }
    }
}
