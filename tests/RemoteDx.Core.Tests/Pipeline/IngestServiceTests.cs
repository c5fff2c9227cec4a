using RemoteDx.Core.Archive;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>The durability rule (DESIGN.md) pinned in process: the ingest service behind a real server, a real SQLite
/// store and recording sync seams. Each name is the promise a failure breaks.</summary>
public sealed class IngestServiceTests
{
    [Fact]
    public async Task C_STORE_success_is_sent_only_after_file_fsync_rename_directory_fsync_and_index_commit()
    {
        await using var h = await IngestHarness.StartAsync();
        // Slow syncs and commits: an implementation that does not wait for one of them answers before it is logged.
        h.Sync.DirectoryDelay = TimeSpan.FromMilliseconds(150);
        h.Store.CommitDelay = TimeSpan.FromMilliseconds(150);
        var file = IngestHarness.Instance();
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;

        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);

        var path = h.ArchivedPath(file);
        var seriesDir = Path.GetDirectoryName(path)!;
        var studyDir = Path.GetDirectoryName(seriesDir)!;
        var fileSync = h.Log.IndexOf($"sync-file {h.Archive.TempDirectory}{Path.DirectorySeparatorChar}");
        var dirSync = h.Log.IndexOf($"sync-dir {seriesDir} [{sop}.dcm]");
        var commit = h.Log.IndexOf($"commit {sop} Stored");
        var response = h.Log.IndexOf($"response {sop} 0000");
        Assert.True(fileSync < dirSync, "the temp file is synced before it is renamed and its folder synced:\n" + h.Log);
        Assert.True(dirSync < response, "0000 waits for the directory sync:\n" + h.Log);
        Assert.True(commit < response, "0000 waits for the index commit:\n" + h.Log);
        // The new folders' own entries are durable too (each parent synced after its child was created).
        Assert.True(h.Log.IndexOf($"sync-dir {h.Archive.ArchiveRoot} [") < fileSync);
        Assert.Contains(h.Log.Snapshot(), e => e.StartsWith($"sync-dir {h.Archive.ArchiveRoot} [", StringComparison.Ordinal) && e.Contains(Path.GetFileName(studyDir), StringComparison.Ordinal));
        Assert.Contains(h.Log.Snapshot(), e => e == $"sync-dir {studyDir} [{Path.GetFileName(seriesDir)}]");

        var archived = DicomFile.Open(path);
        Assert.Equal("CLINIC_A", archived.FileMetaInformation.GetString(Tag.SourceApplicationEntityTitle));
        Assert.Equal(sop, archived.FileMetaInformation.GetString(Tag.MediaStorageSOPInstanceUID));
        Assert.Equal(1, await h.Store.CountInstancesAsync());
        Assert.Single(await h.Store.UnfinishedJobsAsync());
        Assert.Equal(1, h.Signals.Jobs);
        Assert.Empty(Directory.EnumerateFiles(h.Archive.TempDirectory));
    }

    [Fact]
    public async Task Concurrent_associations_share_one_folder_sync_and_each_0000_waits_for_a_sync_and_commit_after_its_rename()
    {
        await using var h = await IngestHarness.StartAsync();
        // A slow folder sync: instances that arrive while it runs are covered together by the next one.
        h.Sync.DirectoryDelay = TimeSpan.FromMilliseconds(100);
        var study = IngestHarness.NewUid();
        var series = IngestHarness.NewUid();
        var files = Enumerable.Range(0, 8).Select(_ => IngestHarness.Instance(study, series)).ToList();

        var statuses = await Task.WhenAll(files.Select(f => Task.Run(() => h.SendAsync(f))));

        Assert.All(statuses, s => Assert.Equal(0x0000, s.Code));
        var seriesDir = Path.GetDirectoryName(h.ArchivedPath(files[0]))!;
        var log = h.Log.Snapshot().ToList();
        var folderSyncs = log.Count(e => e.StartsWith($"sync-dir {seriesDir} [", StringComparison.Ordinal));
        Assert.True(folderSyncs < files.Count, $"{folderSyncs} folder syncs for {files.Count} instances: none shared\n{h.Log}");
        foreach (var f in files)
        {
            var sop = f.Dataset.GetString(Tag.SOPInstanceUID)!;
            var response = log.IndexOf($"response {sop} 0000");
            // The first sync of the folder that already lists the instance, and its commit, come before its 0000.
            var covered = log.FindIndex(e => e.StartsWith($"sync-dir {seriesDir} [", StringComparison.Ordinal) && e.Contains(sop + ".dcm", StringComparison.Ordinal));
            Assert.True(covered >= 0 && covered < response, $"{sop}: 0000 before a folder sync covered it\n{h.Log}");
            Assert.True(log.IndexOf($"commit {sop} Stored") is var c && c >= 0 && c < response, $"{sop}: 0000 before its commit\n{h.Log}");
        }
        Assert.Equal(files.Count, await h.Store.CountInstancesAsync());
    }

    [Fact]
    public async Task Deferred_durability_answers_0000_before_any_sync_then_syncs_file_then_folder_then_index()
    {
        // A flush interval far longer than the exchange: nothing may be synced before 0000.
        await using var h = await IngestHarness.StartAsync(durability: ArchiveDurability.Deferred, deferredFlush: TimeSpan.FromMinutes(10));
        var file = IngestHarness.Instance();
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;
        var path = h.ArchivedPath(file);
        var seriesDir = Path.GetDirectoryName(path)!;

        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);

        // In the OS already: the file is in place and the row committed (a crash of the process loses nothing).
        Assert.True(File.Exists(path));
        Assert.Equal(1, await h.Store.CountInstancesAsync());
        Assert.True(h.Log.IndexOf($"commit {sop} Stored") < h.Log.IndexOf($"response {sop} 0000"));
        Assert.False(h.Log.Any("sync-file "), "the data set was synced before 0000:\n" + h.Log);
        Assert.False(h.Log.Any($"sync-dir {seriesDir} "), "the folder was synced before 0000:\n" + h.Log);

        // The flush (every DeferredFlushMilliseconds; here forced) syncs file, folder, and only then the index.
        await h.Ingest.DisposeAsync();
        var fileSync = h.Log.IndexOf($"sync-file {path}");
        var dirSync = h.Log.IndexOf($"sync-dir {seriesDir} [{sop}.dcm]");
        var indexSync = h.Log.Snapshot().ToList().LastIndexOf("index-sync");
        Assert.True(fileSync > h.Log.IndexOf($"response {sop} 0000"), h.Log.ToString());
        Assert.True(fileSync < dirSync && dirSync < indexSync, "file, folder, index in that order:\n" + h.Log);
    }

    [Fact]
    public async Task Deferred_durability_syncs_within_the_flush_interval_without_being_asked()
    {
        await using var h = await IngestHarness.StartAsync(durability: ArchiveDurability.Deferred, deferredFlush: TimeSpan.FromMilliseconds(50));
        var file = IngestHarness.Instance();
        var path = h.ArchivedPath(file);
        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!h.Log.Any($"sync-file {path}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.True(h.Log.Any($"sync-file {path}"), h.Log.ToString());
    }

    [Fact]
    public async Task A_failed_file_fsync_answers_A701_and_nothing_is_archived_or_indexed()
    {
        await using var h = await IngestHarness.StartAsync();
        h.Sync.FailFile = p => p.StartsWith(h.Archive.TempDirectory, StringComparison.Ordinal);
        var file = IngestHarness.Instance();
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;

        var status = await h.SendAsync(file);

        Assert.Equal(0xA701, status.Code);
        Assert.False(h.Log.Any($"commit {sop}"), h.Log.ToString());
        Assert.False(File.Exists(h.ArchivedPath(file)));
        Assert.Empty(Directory.EnumerateFiles(h.Archive.TempDirectory));
        Assert.Equal(0, await h.Store.CountInstancesAsync());
        Assert.Equal(0, h.Signals.Jobs);
    }

    [Fact]
    public async Task A_failed_directory_fsync_answers_A701_and_never_0000()
    {
        await using var h = await IngestHarness.StartAsync();
        var file = IngestHarness.Instance();
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;
        var seriesDir = Path.GetDirectoryName(h.ArchivedPath(file))!;
        h.Sync.FailDirectory = p => p == seriesDir;

        var status = await h.SendAsync(file);

        Assert.Equal(0xA701, status.Code);
        Assert.True(h.Log.IndexOf($"sync-dir-failed {seriesDir}") < h.Log.IndexOf($"response {sop} A701"));
        Assert.False(h.Log.Any($"response {sop} 0000"));
        Assert.Equal(0, h.Signals.Jobs);
    }

    [Fact]
    public async Task A_resend_after_a_failed_directory_fsync_is_acknowledged_only_after_the_folder_is_synced()
    {
        await using var h = await IngestHarness.StartAsync();
        var file = IngestHarness.Instance();
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;
        var seriesDir = Path.GetDirectoryName(h.ArchivedPath(file))!;
        h.Sync.FailDirectory = p => p == seriesDir;
        Assert.Equal(0xA701, (await h.SendAsync(file)).Code);
        var failed = h.Log.Snapshot().Count;

        // The file was renamed before the sync failed: the re-send finds identical bytes, and must still sync.
        h.Sync.FailDirectory = _ => false;
        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);

        var after = h.Log.Snapshot().Skip(failed).ToList();
        var dirSync = after.FindIndex(e => e == $"sync-dir {seriesDir} [{sop}.dcm]");
        var response = after.FindIndex(e => e == $"response {sop} 0000");
        Assert.True(dirSync >= 0 && dirSync < response, h.Log.ToString());
    }

    [Fact]
    public async Task Resending_identical_bytes_is_acknowledged_without_a_new_job()
    {
        await using var h = await IngestHarness.StartAsync();
        var file = IngestHarness.Instance();
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;
        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);
        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);

        Assert.True(h.Log.IndexOf($"commit {sop} Identical") < h.Log.Snapshot().ToList().LastIndexOf($"response {sop} 0000"));
        Assert.Equal(1, await h.Store.CountInstancesAsync());
        Assert.Single(await h.Store.UnfinishedJobsAsync());
    }

    [Fact]
    public async Task A_full_archive_answers_A700_out_of_resources_not_A701()
    {
        await using var h = await IngestHarness.StartAsync(reserveBytes: long.MaxValue);
        var file = IngestHarness.Instance();

        var status = await h.SendAsync(file);

        Assert.Equal(0xA700, status.Code);
        Assert.StartsWith("out of storage", status.ErrorComment, StringComparison.Ordinal);
        Assert.False(File.Exists(h.ArchivedPath(file)));
        Assert.Equal(0, await h.Store.CountInstancesAsync());
    }

    [Fact]
    public async Task A_data_set_with_an_invalid_Study_Instance_UID_gets_C000_and_is_not_archived()
    {
        await using var h = await IngestHarness.StartAsync();
        var file = IngestHarness.Instance(study: "1.2.bad");

        var status = await h.SendAsync(file);

        Assert.Equal(0xC000, status.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(h.Archive.ArchiveRoot));
        Assert.Empty(Directory.EnumerateFiles(h.Archive.TempDirectory));
    }

    [Fact]
    public async Task A_data_set_whose_SOP_class_differs_from_the_command_gets_A900()
    {
        await using var h = await IngestHarness.StartAsync();
        var file = IngestHarness.Instance(sopClass: IngestHarness.SecondaryCapture);
        var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;
        // The command names DX; the data set says secondary capture. Written as the server writes it.
        var destination = h.Ingest.PrepareStore(Association(), new StoreCommand(IngestHarness.DigitalXRay, sop, TransferSyntax.ExplicitVRLittleEndian, 1, null));
        Assert.True(destination.WritePart10Header);
        var received = Path.Combine(destination.TempDirectory, "mismatch.tmp");
        var header = Part10Header.Encode(IngestHarness.DigitalXRay, sop, TransferSyntax.ExplicitVRLittleEndian, "CLINIC_A");
        using (var fs = File.Create(received))
        {
            fs.Write(header);
            DicomWriter.WriteDataset(fs, file.Dataset, TransferSyntax.ExplicitVRLittleEndian);
        }

        var status = await h.Ingest.StoreAsync(Association(), new StoreRequest(IngestHarness.DigitalXRay, sop, TransferSyntax.ExplicitVRLittleEndian,
            received, new FileInfo(received).Length - header.Length, 1, null, header.Length), CancellationToken.None);

        Assert.Equal(0xA900, status.Code);
        Assert.False(File.Exists(h.ArchivedPath(file)));
        Assert.Equal(0, await h.Store.CountInstancesAsync());
    }

    [Fact]
    public async Task Every_association_is_audited_with_its_statuses_and_counted()
    {
        await using var h = await IngestHarness.StartAsync();
        var file = IngestHarness.Instance();
        Assert.Equal(0x0000, (await h.SendAsync(file)).Code);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!h.Log.Any("audit ") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(h.Log.IndexOf("audit "), h.Log.IndexOf("audit CLINIC_A released 1 0000:1"));
        Assert.Contains(((ushort)0x0000, 1), h.Signals.Responses);
    }

    private static AssociationInfo Association() =>
        new("test", "CLINIC_A", "REMOTEDX", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), false, DateTimeOffset.UtcNow);
}
