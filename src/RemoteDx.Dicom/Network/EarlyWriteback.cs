// Linux sync_file_range(2): start writing a received data set to disk while it still streams
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RemoteDx.Dicom.Network;

/// <summary>Asks the kernel to start writing back a range of a file now (SYNC_FILE_RANGE_WRITE: no waiting, no
/// durability promise), so that the sync a handler does when the data set is complete waits only for the tail. A hint:
/// failures and other operating systems are ignored.</summary>
internal static partial class EarlyWriteback
{
    /// <summary>How many received bytes between two writeback requests.</summary>
    public const long Interval = 1L << 20;

    private const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return;
        }
        _ = SyncFileRange(file, offset, length, SyncFileRangeWrite);
    }
}
