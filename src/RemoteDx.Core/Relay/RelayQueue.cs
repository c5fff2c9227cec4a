// DESIGN.md "Relay" and "Durability rule": the clinic-side queue. C-STORE success only once the instance is durable here.
using System.Globalization;
using System.Text.Json;
using RemoteDx.Core.Archive;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Relay;

/// <summary>The relay's durable queue under <c>&lt;data&gt;</c>: <c>queue/</c> holds every instance received and not yet
/// acknowledged by the hub, one Part 10 file each (our File Meta Information with the modality's AE as Source AE, the
/// data set exactly as received), named so that name order is arrival order; <c>failed/</c> holds what the hub refused
/// for good, each with a <c>.json</c> reason; <c>sent.log</c> counts deliveries. Writes follow the hub's durability
/// rule: temp file, fsync, rename, directory fsync. As the storage SCP's handler it answers 0000 only once the instance
/// is durable in <c>queue/</c>.</summary>
public sealed class RelayQueue : IStoreHandler
{
    private readonly long _reserveBytes;
    private readonly Lock _nameLock = new();
    private long _lastTicks;

    public RelayQueue(string dataDirectory, long reserveBytes = 256L << 20, IFileSync? fileSync = null)
    {
        FileSync = fileSync ?? OsFileSync.Instance;
        DataDirectory = Path.GetFullPath(dataDirectory);
        QueueDirectory = Path.Combine(DataDirectory, "queue");
        FailedDirectory = Path.Combine(DataDirectory, "failed");
        TempDirectory = Path.Combine(DataDirectory, "tmp");
        _reserveBytes = reserveBytes;
        DurableFile.CreateDirectoryDurably(QueueDirectory, FileSync);
        DurableFile.CreateDirectoryDurably(FailedDirectory, FileSync);
        Directory.CreateDirectory(TempDirectory);
        // Partial data sets left by a crash were never acknowledged: the modality sends them again.
        foreach (var stale in Directory.EnumerateFiles(TempDirectory))
        {
            TryDelete(stale);
        }
    }

    public string DataDirectory { get; }

    public string QueueDirectory { get; }

    public string FailedDirectory { get; }

    public string TempDirectory { get; }

    public IFileSync FileSync { get; }

    /// <summary>Raised after an instance became durable in the queue (wakes the forwarder).</summary>
    public event Action? Enqueued;

    /// <summary>Free space on the queue's file system is at or above the configured reserve.</summary>
    public bool HasFreeSpace() => new DriveInfo(DataDirectory).AvailableFreeSpace >= _reserveBytes;

    public StoreDestination PrepareStore(AssociationInfo association, StoreCommand command)
    {
        if (!HasFreeSpace())
        {
            throw new OutOfStorageException("free space on the relay's queue is below the configured reserve");
        }
        return new StoreDestination(TempDirectory, WritePart10Header: true);
    }

    /// <summary>Validates the UIDs the queue names files with, then temp file fsync, rename into <c>queue/</c>, directory
    /// fsync; 0000 only after that. A data set we cannot parse is refused (C000 through the server's boundary).</summary>
    public ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ds = DicomReader.ReadDatasetFile(request.DatasetPath, request.TransferSyntax, new DicomReadOptions { StopBeforePixelData = true },
            request.DatasetOffset);
        var study = ds.GetString(Tag.StudyInstanceUID);
        var sop = ds.GetString(Tag.SOPInstanceUID) ?? request.SopInstanceUid;
        if (!DicomUid.IsValid(study))
        {
            throw new DicomFormatException("Study Instance UID is missing or not a valid UID", tag: Tag.StudyInstanceUID);
        }
        if (!DicomUid.IsValid(sop) || !string.Equals(sop, request.SopInstanceUid, StringComparison.Ordinal))
        {
            throw new DicomFormatException("dataset SOP Instance UID is invalid or differs from the command's", tag: Tag.SOPInstanceUID);
        }
        var final = Path.Combine(QueueDirectory, $"{NextTicks().ToString("D19", CultureInfo.InvariantCulture)}_{study}_{sop}.dcm");
        FileSync.SyncFile(request.DatasetPath);
        File.Move(request.DatasetPath, final);
        FileSync.SyncDirectory(QueueDirectory);
        Enqueued?.Invoke();
        return ValueTask.FromResult(DimseStatus.Success);
    }

    /// <summary>Queued files, oldest first.</summary>
    public IReadOnlyList<string> Pending(int max = int.MaxValue)
    {
        var names = Directory.GetFiles(QueueDirectory, "*.dcm");
        Array.Sort(names, StringComparer.Ordinal);
        return names.Length <= max ? names : names[..max];
    }

    /// <summary>The Study Instance UID a queued file was named with.</summary>
    public static string StudyOf(string queuedPath)
    {
        var parts = Path.GetFileNameWithoutExtension(queuedPath).Split('_');
        return parts.Length == 3 ? parts[1] : "";
    }

    /// <summary>The hub answered success or warning: the instance leaves the queue. (A crash before the delete only
    /// means one identical re-send, a no-op at the hub.)</summary>
    public void Delivered(string queuedPath)
    {
        File.Delete(queuedPath);
        FileSync.SyncDirectory(QueueDirectory);
        File.AppendAllText(Path.Combine(DataDirectory, "sent.log"),
            $"{DateTimeOffset.UtcNow:O} {Path.GetFileName(queuedPath)}\n");
    }

    /// <summary>The hub refused the instance for good (or it cannot be sent): moved to <c>failed/</c> with a
    /// <c>.json</c> that keeps the status and the reason, never retried on its own.</summary>
    public void Failed(string queuedPath, ushort? status, string? reason)
    {
        var name = Path.GetFileName(queuedPath);
        var reasonPath = Path.Combine(FailedDirectory, Path.ChangeExtension(name, ".json"));
        var json = JsonSerializer.Serialize(new FailedInstance(name, status?.ToString("X4", CultureInfo.InvariantCulture), reason, DateTimeOffset.UtcNow),
            RelayJson.Options);
        var temp = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(temp, json);
        FileSync.SyncFile(temp);
        File.Move(temp, reasonPath, overwrite: true);
        File.Move(queuedPath, Path.Combine(FailedDirectory, name), overwrite: true);
        FileSync.SyncDirectory(FailedDirectory);
        FileSync.SyncDirectory(QueueDirectory);
    }

    private long NextTicks()
    {
        lock (_nameLock)
        {
            _lastTicks = Math.Max(_lastTicks + 1, DateTime.UtcNow.Ticks);
            return _lastTicks;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What <c>failed/NAME.json</c> holds.</summary>
public sealed record FailedInstance(string File, string? Status, string? Reason, DateTimeOffset At);
