using RemoteDx.Core.Archive;
using RemoteDx.Core.Tests.Pipeline;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Archive;

/// <summary><see cref="DicomArchive.Adopt"/> on its own: the durability rule's order through the sync seam.</summary>
public sealed class DicomArchiveTests : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun();
    private readonly EventLog _log = new();
    private readonly RecordingFileSync _sync;
    private readonly DicomArchive _archive;

    public DicomArchiveTests()
    {
        _sync = new RecordingFileSync(_log);
        _archive = new DicomArchive(_root, reserveBytes: 0, _sync);
    }

    [Fact]
    public void Adopt_syncs_the_temp_file_then_renames_then_syncs_the_folder()
    {
        var file = IngestHarness.Instance();
        var (received, offset) = Received(file);

        var result = _archive.Adopt(received, offset, TransferSyntax.ExplicitVRLittleEndian, IngestHarness.DigitalXRay, Sop(file));

        Assert.Equal(ArchiveOutcome.Stored, result.Outcome);
        var fileSync = _log.IndexOf($"sync-file {received}");
        var dirSync = _log.IndexOf($"sync-dir {Path.GetDirectoryName(result.Path)} [{Sop(file)}.dcm]");
        Assert.True(fileSync < dirSync, _log.ToString());
        Assert.False(File.Exists(received));
        Assert.Equal(Sop(file), DicomFile.Open(result.Path).Dataset.GetString(Tag.SOPInstanceUID));
    }

    [Fact]
    public void Adopt_of_identical_bytes_still_syncs_the_folder()
    {
        var file = IngestHarness.Instance();
        var (first, offset) = Received(file);
        var stored = _archive.Adopt(first, offset, TransferSyntax.ExplicitVRLittleEndian, IngestHarness.DigitalXRay, Sop(file));
        var before = _log.Snapshot().Count;
        var (second, _) = Received(file);

        var again = _archive.Adopt(second, offset, TransferSyntax.ExplicitVRLittleEndian, IngestHarness.DigitalXRay, Sop(file));

        Assert.Equal(ArchiveOutcome.Identical, again.Outcome);
        Assert.Contains($"sync-dir {Path.GetDirectoryName(stored.Path)} [{Sop(file)}.dcm]", _log.Snapshot().Skip(before));
    }

    [Fact]
    public void A_failed_file_sync_leaves_nothing_in_the_archive()
    {
        var file = IngestHarness.Instance();
        var (received, offset) = Received(file);
        _sync.FailFile = p => p == received;

        Assert.Throws<IOException>(() => _archive.Adopt(received, offset, TransferSyntax.ExplicitVRLittleEndian, IngestHarness.DigitalXRay, Sop(file)));

        Assert.False(File.Exists(_archive.PathFor(file.Dataset.GetString(Tag.StudyInstanceUID)!, file.Dataset.GetString(Tag.SeriesInstanceUID)!, Sop(file))));
        Assert.True(File.Exists(received));
    }

    [Fact]
    public void Below_the_reserve_Adopt_throws_the_one_out_of_storage_exception()
    {
        var full = new DicomArchive(Path.Combine(_root, "full"), reserveBytes: long.MaxValue, _sync);
        var file = IngestHarness.Instance();
        var (received, offset) = Received(file);

        var ex = Assert.Throws<OutOfStorageException>(() => full.Adopt(received, offset, TransferSyntax.ExplicitVRLittleEndian, IngestHarness.DigitalXRay, Sop(file)));
        Assert.IsNotAssignableFrom<IOException>(ex);
    }

    private static string Sop(DicomFile file) => file.Dataset.GetString(Tag.SOPInstanceUID)!;

    /// <summary>A temp file as the server writes it: our Part 10 header, then the data set as received.</summary>
    private (string Path, long Offset) Received(DicomFile file)
    {
        var path = Path.Combine(_archive.TempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        var header = Part10Header.Encode(file.Dataset.GetString(Tag.SOPClassUID)!, Sop(file), TransferSyntax.ExplicitVRLittleEndian, "CLINIC_A");
        using var fs = File.Create(path);
        fs.Write(header);
        DicomWriter.WriteDataset(fs, file.Dataset, TransferSyntax.ExplicitVRLittleEndian);
        return (path, header.Length);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
