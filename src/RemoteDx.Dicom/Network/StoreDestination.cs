// PS3.4 B.2.2 / PS3.10 7.1: where the storage SCP writes a received data set
namespace RemoteDx.Dicom.Network;

/// <summary>Where the server streams one data set: a new file in <see cref="TempDirectory"/> (created if missing; put
/// it on the file system of the final destination so that keeping the file is a rename). With
/// <see cref="WritePart10Header"/> the file starts with the 128-byte preamble, "DICM" and File Meta Information
/// (PS3.10 7.1) written by <see cref="Part10Header.Encode"/>, the calling AE as Source Application Entity Title.
/// <see cref="CheckSpace"/>, when set, is called every <see cref="CheckSpaceInterval"/> bytes while the data set streams
/// and throws (e.g. <see cref="OutOfStorageException"/>) to refuse it there and then. <see cref="StartWriteback"/>: the
/// handler will sync the file when it is complete, so the server asks the OS to start writing it to disk every
/// megabyte as it streams (Linux sync_file_range), and that sync waits only for the tail.</summary>
public sealed record StoreDestination(string TempDirectory, bool WritePart10Header, Action? CheckSpace = null, bool StartWriteback = false)
{
    /// <summary>How often, in received bytes, <see cref="CheckSpace"/> is called.</summary>
    public const long CheckSpaceInterval = 16L << 20;
}
