using System.Diagnostics;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>The listener's budgets (docs/conformance.md 1.6): connections that have not sent an A-ASSOCIATE-RQ never
/// count toward MaxAssociations, time out, and make room oldest-first; a data set over MaxInstanceBytes is refused A700.</summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Idle_connections_without_an_A_ASSOCIATE_RQ_do_not_take_association_slots()
    {
        await using var s = await TestServer.StartAsync(o =>
        {
            o.MaxAssociations = 2;
            o.MaxPendingConnectionsPerPeer = 64;
        });
        var idle = new List<Parrot>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                idle.Add(await Parrot.ConnectAsync(s.Port));
            }
            await WaitUntilAsync(() => s.Server.PendingConnections == 10);
            using var real = await Parrot.ConnectAsync(s.Port);
            await real.AssociateAsync();
            Assert.Equal(1, s.Server.ActiveAssociations);
        }
        finally
        {
            idle.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task At_the_per_peer_cap_the_oldest_pending_connection_is_closed_so_a_real_sender_gets_through()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxPendingConnectionsPerPeer = 3);
        using var oldest = await Parrot.ConnectAsync(s.Port);
        await WaitUntilAsync(() => s.Server.PendingConnections == 1);
        using var second = await Parrot.ConnectAsync(s.Port);
        using var third = await Parrot.ConnectAsync(s.Port);
        await WaitUntilAsync(() => s.Server.PendingConnections == 3);
        using var real = await Parrot.ConnectAsync(s.Port);

        Assert.Null(await oldest.ReadPduAsync(seconds: 10));
        await real.AssociateAsync();
        Assert.Equal(1, s.Server.ActiveAssociations);
        Assert.StartsWith("aborted", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_that_sends_no_A_ASSOCIATE_RQ_is_closed_after_the_pending_timeout()
    {
        await using var s = await TestServer.StartAsync(o => o.PendingAssociationTimeout = TimeSpan.FromMilliseconds(500));
        using var idle = await Parrot.ConnectAsync(s.Port);
        var sw = Stopwatch.StartNew();
        Assert.Null(await idle.ReadPduAsync(seconds: 10));
        Assert.True(sw.Elapsed.TotalSeconds >= 0.3, $"closed after {sw.Elapsed.TotalSeconds:F2} s");
        await WaitUntilAsync(() => s.Server.PendingConnections == 0);
    }

    [Fact]
    public async Task A_data_set_over_MaxInstanceBytes_is_answered_A700_and_its_temp_file_removed()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxInstanceBytes = 1024);
        var file = Net.TestFile("CT_small.dcm");
        var options = new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX", CallingAE = "BIG" };
        var header = DicomReader.ReadFile(file, new DicomReadOptions { StopBeforePixelData = true });
        await using (var client = await DicomClient.ConnectAsync(options,
            [new PresentationContextProposal(header.Dataset.GetString(Tag.SOPClassUID)!, [header.TransferSyntax.Uid])]))
        {
            var status = await client.StoreAsync(file);
            Assert.Equal(0xA700, status.Code);
            Assert.Equal("data set larger than MaxInstanceBytes", status.ErrorComment);
            // The association survives the refusal.
            Assert.True((await client.StoreAsync(file)).Code == 0xA700);
            await client.ReleaseAsync();
        }
        Assert.Equal(0, s.Handler.Calls);
        Assert.Empty(Directory.Exists(s.TempDir) ? Directory.EnumerateFiles(s.TempDir) : []);
    }

    [Fact]
    public async Task A_space_check_that_fails_while_the_data_set_streams_answers_A700()
    {
        await using var s = await TestServer.StartAsync();
        s.Handler.Destination = new StoreDestination(s.TempDir, WritePart10Header: false,
            CheckSpace: () => throw new OutOfStorageException("reserve reached"));
        // Large enough to cross the check interval.
        var big = new DicomFile(new Dataset(), TransferSyntax.ExplicitVRLittleEndian);
        big.Dataset.SetString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        big.Dataset.SetString(Tag.SOPInstanceUID, VR.UI, "1.2.3.4.5");
        big.Dataset.SetBytes(Tag.PixelData, VR.OB, new byte[(int)StoreDestination.CheckSpaceInterval + 4096]);
        big.BuildFileMetaInformation();
        var options = new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX", CallingAE = "BIG" };
        await using var client = await DicomClient.ConnectAsync(options,
            [new PresentationContextProposal("1.2.840.10008.5.1.4.1.1.7", [TransferSyntax.ExplicitVRLittleEndian.Uid])]);
        var status = await client.StoreAsync(big);
        Assert.Equal(0xA700, status.Code);
        Assert.StartsWith("out of storage", status.ErrorComment, StringComparison.Ordinal);
        await client.ReleaseAsync();
        Assert.Equal(0, s.Handler.Calls);
        Assert.Empty(Directory.EnumerateFiles(s.TempDir));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
