using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Relay;
using RemoteDx.Core.Tests.Archive;
using RemoteDx.Core.Tests.Pipeline;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Relay;

/// <summary><see cref="RelayForwarder"/> against an in-process hub whose answers the test scripts.</summary>
public sealed class RelayForwarderTests : IAsyncDisposable
{
    private static readonly AssociationInfo Modality = new("a1", "MODALITY", "CLINIC1", new IPEndPoint(IPAddress.Loopback, 1), false, DateTimeOffset.UtcNow);
    private readonly string _root = TempDirectory.ForTestRun();
    private readonly RelayQueue _queue;
    private readonly ScriptedHub _hub;
    private readonly DicomServer _server;

    public RelayForwarderTests()
    {
        _queue = new RelayQueue(Path.Combine(_root, "relay"), reserveBytes: 0, new RecordingFileSync(new EventLog()));
        _hub = new ScriptedHub(Path.Combine(_root, "hub-tmp"));
        _server = new DicomServer(new DicomServerOptions { Port = 0, TlsPort = null, BindAddress = IPAddress.Loopback }, _hub);
    }

    [Fact]
    public async Task Out_of_resources_at_the_hub_keeps_the_instance_queued_and_a_later_pass_delivers_it_with_the_clinic_AE_title()
    {
        await _server.StartAsync();
        await QueueAsync(2);
        _hub.Answer = _ => DimseStatus.OutOfResources;

        var forwarder = Forwarder();
        Assert.True(await forwarder.ForwardAsync(_queue.Pending(), CancellationToken.None));
        Assert.Equal(2, _queue.Pending().Count);
        Assert.Empty(Directory.GetFiles(_queue.FailedDirectory));

        _hub.Answer = _ => DimseStatus.Success;
        Assert.False(await forwarder.ForwardAsync(_queue.Pending(), CancellationToken.None));
        Assert.Empty(_queue.Pending());
        Assert.Equal(4, _hub.Calls.Count);
        Assert.All(_hub.Calls, c => Assert.Equal("CLINIC1", c));
    }

    [Fact]
    public async Task A_failure_status_other_than_A7xx_is_final_the_instance_goes_to_failed_and_the_rest_are_delivered()
    {
        await _server.StartAsync();
        var sops = await QueueAsync(3);
        _hub.Answer = r => r.SopInstanceUid == sops[1] ? new DimseStatus(0xA900, "dataset does not match SOP class") : DimseStatus.Success;

        Assert.False(await Forwarder().ForwardAsync(_queue.Pending(), CancellationToken.None));

        Assert.Empty(_queue.Pending());
        var failed = Assert.Single(RelayStatus.Read(_queue.DataDirectory).FailedInstances);
        Assert.Equal("A900", failed.Status);
        Assert.Equal("dataset does not match SOP class", failed.Reason);
        Assert.Contains(sops[1], failed.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_nothing_listening_every_instance_stays_queued_for_the_next_try()
    {
        await QueueAsync(2);
        Assert.True(await Forwarder().ForwardAsync(_queue.Pending(), CancellationToken.None));
        Assert.Equal(2, _queue.Pending().Count);
        Assert.Contains("association failed", RelayStatus.Read(_queue.DataDirectory).LastError ?? "", StringComparison.Ordinal);
    }

    private RelayForwarder Forwarder() => new(_queue,
        new DicomClientOptions
        {
            Host = "127.0.0.1", Port = _server.LocalEndPoint?.Port ?? FreePort(), CalledAE = "REMOTEDX", CallingAE = "CLINIC1",
        },
        NullLogger.Instance, new ExponentialBackoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)));

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private async Task<List<string>> QueueAsync(int count)
    {
        var sops = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var file = IngestHarness.Instance();
            var sop = file.Dataset.GetString(Tag.SOPInstanceUID)!;
            sops.Add(sop);
            var path = Path.Combine(_queue.TempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
            var header = Part10Header.Encode(IngestHarness.DigitalXRay, sop, TransferSyntax.ExplicitVRLittleEndian, "MODALITY");
            await using (var fs = File.Create(path))
            {
                fs.Write(header);
                DicomWriter.WriteDataset(fs, file.Dataset, TransferSyntax.ExplicitVRLittleEndian);
            }
            await _queue.StoreAsync(Modality, new StoreRequest(IngestHarness.DigitalXRay, sop, TransferSyntax.ExplicitVRLittleEndian, path,
                new FileInfo(path).Length - header.Length, 1, null, header.Length), CancellationToken.None);
        }
        return sops;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A hub that answers what the test says and records the calling AE of each C-STORE.</summary>
    private sealed class ScriptedHub(string temp) : IStoreHandler
    {
        public Func<StoreRequest, DimseStatus> Answer { get; set; } = _ => DimseStatus.Success;

        public List<string> Calls { get; } = [];

        public StoreDestination PrepareStore(AssociationInfo association, StoreCommand command) => new(temp, WritePart10Header: false);

        public ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct)
        {
            lock (Calls)
            {
                Calls.Add(association.CallingAE);
            }
            return ValueTask.FromResult(Answer(request));
        }
    }
}
