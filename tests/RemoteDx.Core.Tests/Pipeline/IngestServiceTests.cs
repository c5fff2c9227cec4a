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
