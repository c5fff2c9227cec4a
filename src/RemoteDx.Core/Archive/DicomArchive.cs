// DESIGN.md archive layout and durability rule; PS3.10 7 files (our File Meta Information, the data set as received)
using System.Buffers.Binary;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Archive;

/// <summary>The file archive: <c>&lt;data&gt;/archive/&lt;Study&gt;/&lt;Series&gt;/&lt;SOP&gt;.dcm</c>, each file the dataset
/// exactly as received behind a File Meta Information header we write. Writes follow the durability rule: temp file,
/// fsync, rename, directory fsync (every sync through <see cref="FileSync"/>).</summary>
public sealed class DicomArchive
{
    private readonly long _reserveBytes;

    public DicomArchive(string dataDirectory, long reserveBytes = 1L << 30, IFileSync? fileSync = null)
    {
        FileSync = fileSync ?? OsFileSync.Instance;
        DataDirectory = Path.GetFullPath(dataDirectory);
        ArchiveRoot = Path.Combine(DataDirectory, "archive");
        TempDirectory = Path.Combine(DataDirectory, "tmp");
        _reserveBytes = reserveBytes;
        DurableFile.CreateDirectoryDurably(ArchiveRoot, FileSync);
        Directory.CreateDirectory(TempDirectory);
        // Partial data sets left by a crash were never acknowledged; the peer sends them again. Only old ones go:
        // another process sharing this data folder may be receiving right now.
        foreach (var stale in Directory.EnumerateFiles(TempDirectory))
        {
            if (File.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddHours(-1))
            {
                TryDelete(stale);
            }
        }
    }

    public string DataDirectory { get; }

    /// <summary>The syncs of the durability rule (the OS's fsync unless a test put a seam here).</summary>
    public IFileSync FileSync { get; }

    public string ArchiveRoot { get; }

    /// <summary>Where incoming datasets are streamed before they are archived (same file system as the archive).</summary>
    public string TempDirectory { get; }

    /// <summary>Free space on the archive's file system is at or above the configured reserve.</summary>
    public bool HasFreeSpace() => new DriveInfo(ArchiveRoot).AvailableFreeSpace >= _reserveBytes;

    public string PathFor(string study, string series, string sop) => Path.Combine(ArchiveRoot, study, series, sop + ".dcm");

    /// <summary>Archives a received file that already starts with our Part 10 header: <see cref="Inspect"/>, then
    /// <see cref="Keep"/>.</summary>
    public ArchiveResult Adopt(string receivedPath, long datasetOffset, TransferSyntax syntax, string sopClassUid, string sopInstanceUid,
        bool syncDirectory = true) =>
        Keep(Inspect(receivedPath, datasetOffset, syntax, sopClassUid, sopInstanceUid), syncDirectory);

    /// <summary>Reads a received file that already starts with our Part 10 header (<see cref="Part10Header.Encode"/>,
    /// the data set at <paramref name="datasetOffset"/>) up to its pixel data and checks its UIDs; nothing in the archive
    /// is touched, so the caller can decide (ownership, DESIGN.md "Between clinics") before <see cref="Keep"/>. Throws
    /// <see cref="DicomException"/> when the data set cannot be parsed or its UIDs are unusable,
    /// <see cref="DatasetMismatchException"/> when its SOP class is not the command's, and
    /// <see cref="OutOfStorageException"/> below the free-space reserve.</summary>
    public ReceivedInstance Inspect(string receivedPath, long datasetOffset, TransferSyntax syntax, string sopClassUid, string sopInstanceUid) =>
        Inspect(receivedPath, datasetOffset, syntax, sopClassUid, sopInstanceUid, ReadOnlyMemory<byte>.Empty, -1);

    /// <summary>As above, with the file's first bytes <paramref name="head"/> already in memory (what the network layer
    /// kept while writing it, <see cref="StoreRequest.Head"/>) and its length: the file is read only for what lies past
    /// them.</summary>
    public ReceivedInstance Inspect(string receivedPath, long datasetOffset, TransferSyntax syntax, string sopClassUid, string sopInstanceUid,
        ReadOnlyMemory<byte> head, long fileLength)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        if (datasetOffset <= 0)
        {
            throw new ArgumentException("the received file must start with a Part 10 header", nameof(datasetOffset));
        }
        if (!HasFreeSpace())
        {
            throw new OutOfStorageException("free space on the archive is below the configured reserve");
        }
        var options = new DicomReadOptions { LazyPixelData = true };
        var ds = head.IsEmpty || fileLength < 0
            ? DicomReader.ReadDatasetFile(receivedPath, syntax, options, datasetOffset)
            : DicomReader.ReadDatasetFile(receivedPath, head, fileLength, syntax, options, datasetOffset);
        var (study, series, sop, sopClass) = Identify(ds, sopClassUid, sopInstanceUid);
        return new ReceivedInstance(receivedPath, datasetOffset, syntax.Uid, study, series, sop, sopClass, Attributes(ds));
    }

    /// <summary>Keeps an inspected file: fsync, then rename into place (replacing different bytes, keeping identical
    /// ones). Throws IOException on storage errors (a failed sync included).
    /// With <paramref name="syncDirectory"/> false the caller must sync the result's folder
    /// (<see cref="IFileSync.SyncDirectory"/>) before acknowledging, so that it can overlap with the index commit;
    /// that holds for <see cref="ArchiveOutcome.Identical"/> too, since the earlier rename may not be durable yet.
    /// With <paramref name="syncFile"/> false (deferred durability) a new file is renamed unsynced, and the caller syncs
    /// it later; a file that replaces an older version is still synced first, so that a power loss can never leave the
    /// older, acknowledged version replaced by unwritten data.</summary>
    public ArchiveResult Keep(ReceivedInstance received, bool syncDirectory = true, bool syncFile = true)
    {
        ArgumentNullException.ThrowIfNull(received);
        var (receivedPath, study, series, sop) = (received.Path, received.StudyInstanceUid, received.SeriesInstanceUid, received.SopInstanceUid);
        var finalPath = PathFor(study, series, sop);
        var dir = Path.GetDirectoryName(finalPath)!;
        DurableFile.CreateDirectoryDurably(dir, FileSync);
        var exists = File.Exists(finalPath);
        if (syncFile || exists)
        {
            FileSync.SyncFile(receivedPath);
        }
        var outcome = ArchiveOutcome.Stored;
        if (exists)
        {
            if (SameDataset(finalPath, receivedPath, received.DatasetOffset))
            {
                // The earlier rename may still be waiting for its directory sync (a concurrent or failed store).
                if (syncDirectory)
                {
                    FileSync.SyncDirectory(dir);
                }
                return Result(ArchiveOutcome.Identical, finalPath, received);
            }
            outcome = ArchiveOutcome.Replaced;
        }
        File.Move(receivedPath, finalPath, overwrite: true); // rename(2): atomic, same file system as TempDirectory
        if (syncDirectory)
        {
            FileSync.SyncDirectory(dir);
        }
        return Result(outcome, finalPath, received);
    }

    /// <summary>Archives a file RemoteDx wrote itself (a result object) under the same rule: written to the temp folder,
    /// fsync'd, renamed into <see cref="PathFor"/>, its folder fsync'd. Returns the archived path.</summary>
    public string KeepCreated(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var ds = file.Dataset;
        var (study, series, sop) = (ds.GetString(Tag.StudyInstanceUID), ds.GetString(Tag.SeriesInstanceUID), ds.GetString(Tag.SOPInstanceUID));
        RequireUid(study, "Study Instance UID", Tag.StudyInstanceUID);
        RequireUid(series, "Series Instance UID", Tag.SeriesInstanceUID);
        RequireUid(sop, "SOP Instance UID", Tag.SOPInstanceUID);
        var finalPath = PathFor(study!, series!, sop!);
        var dir = Path.GetDirectoryName(finalPath)!;
        DurableFile.CreateDirectoryDurably(dir, FileSync);
        var temp = Path.Combine(TempDirectory, "result-" + Guid.NewGuid().ToString("N") + ".dcm");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                DicomWriter.WriteFile(fs, file);
            }
            FileSync.SyncFile(temp);
            File.Move(temp, finalPath, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
        FileSync.SyncDirectory(dir);
        return finalPath;
    }

    /// <summary>Reads a file already in the archive (the reconciler's view): its index attributes and the Source AE of
    /// its File Meta Information. Throws <see cref="DicomException"/> when it cannot be parsed, its UIDs are invalid, or
    /// it is not where its UIDs place it.</summary>
    public (ArchiveResult Result, string? SourceAe) Describe(string archivedPath)
    {
        var file = DicomReader.ReadFile(archivedPath, new DicomReadOptions { LazyPixelData = true });
        var ds = file.Dataset;
        var sop = ds.GetString(Tag.SOPInstanceUID);
        var sopClass = ds.GetString(Tag.SOPClassUID) ?? file.FileMetaInformation.GetString(Tag.MediaStorageSOPClassUID) ?? "";
        var (study, series, _, _) = Identify(ds, sopClass, sop ?? "");
        if (!string.Equals(Path.GetFullPath(archivedPath), PathFor(study, series, sop!), StringComparison.Ordinal))
        {
            throw new DicomFormatException("the file is not where its Study, Series and SOP Instance UIDs place it");
        }
        var syntax = file.FileMetaInformation.GetString(Tag.TransferSyntaxUID) ?? "";
        var result = new ArchiveResult(ArchiveOutcome.Stored, archivedPath, study, series, sop!, sopClass, syntax,
            new FileInfo(archivedPath).Length, Attributes(ds));
        return (result, file.FileMetaInformation.GetString(Tag.SourceApplicationEntityTitle));
    }

    private static ArchiveResult Result(ArchiveOutcome outcome, string finalPath, ReceivedInstance r) =>
        new(outcome, finalPath, r.StudyInstanceUid, r.SeriesInstanceUid, r.SopInstanceUid, r.SopClassUid, r.TransferSyntaxUid,
            new FileInfo(finalPath).Length, r.Attributes);

    private static (string Study, string Series, string Sop, string SopClass) Identify(Dataset ds, string sopClassUid, string sopInstanceUid)
    {
        var study = ds.GetString(Tag.StudyInstanceUID);
        var series = ds.GetString(Tag.SeriesInstanceUID);
        var sop = ds.GetString(Tag.SOPInstanceUID) ?? sopInstanceUid;
        var sopClass = ds.GetString(Tag.SOPClassUID) ?? sopClassUid;
        RequireUid(study, "Study Instance UID", Tag.StudyInstanceUID);
        RequireUid(series, "Series Instance UID", Tag.SeriesInstanceUID);
        RequireUid(sop, "SOP Instance UID", Tag.SOPInstanceUID);
        if (!string.Equals(sop, sopInstanceUid, StringComparison.Ordinal))
        {
            throw new DicomFormatException("dataset SOP Instance UID differs from the command's Affected SOP Instance UID", tag: Tag.SOPInstanceUID);
        }
        if (!string.Equals(sopClass, sopClassUid, StringComparison.Ordinal))
        {
            throw new DatasetMismatchException("dataset SOP Class UID differs from the command's Affected SOP Class UID");
        }
        return (study!, series!, sop, sopClass);
    }

    private static void RequireUid(string? uid, string name, Tag tag)
    {
        if (!DicomUid.IsValid(uid))
        {
            throw new DicomFormatException($"{name} is missing or not a valid UID", tag: tag);
        }
    }

    /// <summary>Compares the dataset part of an archived file (after its meta group) with newly received bytes.</summary>
    private static bool SameDataset(string archived, string received, long receivedOffset)
    {
        using var a = new FileStream(archived, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var b = new FileStream(received, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> head = stackalloc byte[144];
        if (a.Read(head) != 144 || head[128] != 'D' || head[132] != 0x02 || head[133] != 0)
        {
            return false;
        }
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(head[140..]);
        var offset = 144L + groupLength;
        if (a.Length - offset != b.Length - receivedOffset)
        {
            return false;
        }
        a.Seek(offset, SeekOrigin.Begin);
        b.Seek(receivedOffset, SeekOrigin.Begin);
        var bufA = new byte[1 << 16];
        var bufB = new byte[1 << 16];
        while (true)
        {
            var n = a.ReadAtLeast(bufA, bufA.Length, throwOnEndOfStream: false);
            var m = b.ReadAtLeast(bufB, bufB.Length, throwOnEndOfStream: false);
            if (n != m || !bufA.AsSpan(0, n).SequenceEqual(bufB.AsSpan(0, m)))
            {
                return false;
            }
            if (n == 0)
            {
                return true;
            }
        }
    }

    private static InstanceAttributes Attributes(Dataset ds) => new(
        ds.GetString(Tag.PatientID),
        ds.GetString(Tag.PatientName),
        ds.GetString(Tag.Modality),
        ds.GetString(Tag.BodyPartExamined),
        ds.GetString(Tag.ViewPosition),
        ds.GetString(Tag.StudyDate),
        ds.GetString(Tag.StudyDescription),
        ds.GetString(Tag.InstitutionName),
        ds.GetInt(Tag.InstanceNumber),
        ds.GetInt(Tag.Rows) ?? 0,
        ds.GetInt(Tag.Columns) ?? 0,
        ds.GetInt(Tag.NumberOfFrames) ?? 1,
        ds.GetString(Tag.PatientSex),
        ds.GetString(Tag.PatientAge),
        ds.GetString(Tag.PatientBirthDate),
        ds.GetString(Tag.AccessionNumber),
        ds.GetString(Tag.PhotometricInterpretation),
        SafeDouble(ds, Tag.WindowCenter),
        SafeDouble(ds, Tag.WindowWidth),
        ds.GetInt(Tag.SeriesNumber),
        ds.GetString(Tag.SeriesDescription));

    // A malformed window value must not refuse the instance: it only feeds the viewer's default window.
    private static double? SafeDouble(Dataset ds, Tag tag)
    {
        try
        {
            return ds.GetDouble(tag);
        }
        catch (Exception ex) when (ex is DicomException or FormatException)
        {
            return null;
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
