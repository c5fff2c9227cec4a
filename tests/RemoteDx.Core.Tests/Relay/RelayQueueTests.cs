using System.Diagnostics;
using System.Net;
using RemoteDx.Core.Relay;
using RemoteDx.Core.Tests.Archive;
using RemoteDx.Core.Tests.Pipeline;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Relay;

/// <summary><see cref="RelayQueue"/> on its own: the hub's durability rule at the clinic, order, refusals.</summary>
public sealed class RelayQueueTests : IDisposable
{
    private static readonly AssociationInfo Modality = new("a1", "MODALITY", "CLINIC1", new IPEndPoint(IPAddress.Loopback, 1), false, DateTimeOffset.UtcNow);
    private readonly string _root = TempDirectory.ForTestRun();
    private readonly EventLog _log = new();
    private readonly RecordingFileSync _sync;
    private readonly RelayQueue _queue;

    public RelayQueueTests()
    {
        _sync = new RecordingFileSync(_log);
        _queue = new RelayQueue(_root, reserveBytes: 0, _sync);
    }

    [Fact]
    public async Task The_relay_answers_success_only_after_the_temp_file_is_synced_renamed_into_the_queue_and_the_queue_folder_synced()
    {
        var file = IngestHarness.Instance();
        var request = Received(file);

        var status = await _queue.StoreAsync(Modality, request, CancellationToken.None);

        Assert.True(status.IsSuccess);
        var queued = Assert.Single(_queue.Pending());
        var fileSync = _log.IndexOf($"sync-file {request.DatasetPath}");
        var dirSync = _log.IndexOf($"sync-dir {_queue.QueueDirectory} [{Path.GetFileName(queued)}]");
        Assert.True(fileSync < dirSync);
        Assert.False(File.Exists(request.DatasetPath));
        // The queued file is a Part 10 file holding the data set as received, ready to be sent on.
        Assert.Equal(Sop(file), DicomReader.ReadFile(queued).Dataset.GetString(Tag.SOPInstanceUID));
        Assert.Equal(file.Dataset.GetString(Tag.StudyInstanceUID), RelayQueue.StudyOf(queued));
    }

    [Fact]
    public async Task A_failed_folder_sync_is_an_error_the_server_turns_into_a_failure_status_not_a_success()
    {
        _sync.FailDirectory = p => p == _queue.QueueDirectory;
        await Assert.ThrowsAsync<IOException>(async () => await _queue.StoreAsync(Modality, Received(IngestHarness.Instance()), CancellationToken.None));
    }

    [Fact]
    public void Below_the_free_space_reserve_the_relay_refuses_out_of_resources_instead_of_acknowledging()
    {
        var full = new RelayQueue(Path.Combine(_root, "full"), reserveBytes: long.MaxValue, _sync);
        Assert.False(full.HasFreeSpace());
        Assert.Throws<OutOfStorageException>(() => full.PrepareStore(Modality,
            new StoreCommand(IngestHarness.DigitalXRay, "1.2.3", TransferSyntax.ExplicitVRLittleEndian, 1, null)));
    }

    [Fact]
    public async Task Pending_is_oldest_first_and_a_refusal_moves_the_instance_to_failed_with_its_status_and_reason()
    {
        var sops = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var file = IngestHarness.Instance();
            sops.Add(Sop(file));
            await _queue.StoreAsync(Modality, Received(file), CancellationToken.None);
        }
        Assert.Equal(sops, _queue.Pending().Select(p => DicomReader.ReadFile(p).Dataset.GetString(Tag.SOPInstanceUID)));

        var pending = _queue.Pending();
        _queue.Delivered(pending[0]);
        _queue.Failed(pending[1], 0xC000, "cannot understand: Series Instance UID");

        var status = RelayStatus.Read(_root);
        Assert.Equal(3, status.Queued);
        Assert.Equal(1, status.Sent);
        var failed = Assert.Single(status.FailedInstances);
        Assert.Equal("C000", failed.Status);
        Assert.Contains("Series Instance UID", failed.Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_queue.FailedDirectory, Path.GetFileName(pending[1]))));
    }

    [Fact]
    public async Task The_rate_cap_holds_writes_to_the_configured_bytes_per_second()
    {
        using var sink = new MemoryStream();
        await using var limited = new RateLimitedStream(sink, 100 * 1024);
        var watch = Stopwatch.StartNew();
        // 300 KiB at 100 KiB/s: the first tenth of a second's worth goes at once, the rest waits for tokens.
        for (var i = 0; i < 30; i++)
        {
            await limited.WriteAsync(new byte[10 * 1024]);
        }
        Assert.Equal(300 * 1024, sink.Length);
        Assert.InRange(watch.Elapsed.TotalSeconds, 2.5, 10);
    }

    private static string Sop(DicomFile file) => file.Dataset.GetString(Tag.SOPInstanceUID)!;

    /// <summary>A temp file as the server writes it: our Part 10 header, then the data set as received.</summary>
    private StoreRequest Received(DicomFile file)
    {
        var path = Path.Combine(_queue.TempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        var header = Part10Header.Encode(file.Dataset.GetString(Tag.SOPClassUID)!, Sop(file), TransferSyntax.ExplicitVRLittleEndian, "MODALITY");
        using (var fs = File.Create(path))
        {
            fs.Write(header);
            DicomWriter.WriteDataset(fs, file.Dataset, TransferSyntax.ExplicitVRLittleEndian);
        }
        return new StoreRequest(file.Dataset.GetString(Tag.SOPClassUID)!, Sop(file), TransferSyntax.ExplicitVRLittleEndian, path,
            new FileInfo(path).Length - header.Length, 1, null, header.Length);
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
