using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>The relay over a bad link: the hub, the relay and storescu run in a network namespace of this test's own
/// (its own loopback), and the link is made bad with nftables rules on the hub's port inside that namespace only; the
/// host's firewall is never touched. Deleting the namespace deletes the rules. Needs root, iproute2 and nftables.</summary>
public sealed class RelayBadLinkTests : IDisposable
{
    private const string Table = "relay_link";

    private readonly string _root = TempDirectory.ForTestRun("relay-link");
    private readonly NetworkNamespace _netns = NetworkNamespace.Create("rdx_relay");

    public void Dispose()
    {
        _netns.Dispose();
        TempDirectory.TryDelete(_root);
    }

    [Fact]
    public async Task Over_a_link_capped_at_128_KiB_per_second_that_drops_everything_for_a_while_every_instance_arrives_exactly_once()
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"), netns: _netns);
        var port = hub.DicomPort.ToString(CultureInfo.InvariantCulture);
        _netns.Nft("add", "table", "inet", Table);
        _netns.Nft("add", "chain", "inet", Table, "out", "{ type filter hook output priority 0 ; }");
        _netns.Nft("add", "rule", "inet", Table, "out", "tcp", "dport", port, "limit", "rate", "over", "128", "kbytes/second", "drop");

        var files = new List<string>();
        var dir = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        for (var s = 0; s < 5; s++)
        {
            var study = Samples.NewUid();
            for (var i = 0; i < 6; i++)
            {
                files.Add(Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir, ds =>
                {
                    ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
                    ds.Remove(Tag.DataSetTrailingPadding);
                }).Path);
            }
        }
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.DicomPort, _netns);
        await RemoteDxRelay.StorescuAsync(relay.DicomPort, files, _netns);
        await relay.WaitUntilAsync(() => files.Any(f => File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f))), "a first delivery");

        // Outage: every packet to and from the hub's port is dropped (no RST: the relay has to notice by itself).
        _netns.Nft("add", "rule", "inet", Table, "out", "tcp", "dport", port, "drop");
        _netns.Nft("add", "rule", "inet", Table, "out", "tcp", "sport", port, "drop");
        await relay.WaitUntilAsync(() => relay.Output.Contains("next try in", StringComparison.Ordinal), "the relay noticing the outage");
        Assert.True(relay.Queued > 0, "the queue drained before the outage");
        await Task.Delay(TimeSpan.FromSeconds(4));
        _netns.Nft("flush", "chain", "inet", Table, "out");
        _netns.Nft("add", "rule", "inet", Table, "out", "tcp", "dport", port, "limit", "rate", "over", "128", "kbytes/second", "drop");

        await relay.WaitUntilAsync(() => relay.Queued == 0, "delivery after the outage", seconds: 180);
        Assert.Empty(Directory.GetFiles(relay.FailedDirectory));
        foreach (var f in files)
        {
            var sop = Samples.Uids(f).Sop;
            Assert.True(RemoteDxRelay.DatasetBytes(f).SequenceEqual(RemoteDxRelay.DatasetBytes(Samples.ArchivePath(hub.ArchiveRoot, f))), $"{sop} differs at the hub");
            Assert.Equal(1, IndexDatabase.Instances(hub.DatabasePath, sop));
        }
        Assert.Equal(0, IndexDatabase.Count(hub.DatabasePath, "SELECT count(*) FROM audit_events WHERE kind = 'instance-replaced'"));
    }
}
