using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>The relay over a bad link: nftables rules on the hub's (test-only, ephemeral) loopback port, in a table of
/// this test's own, deleted afterwards. Needs root and nftables.</summary>
public sealed class RelayBadLinkTests : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("relay-link");
    private readonly string _table = "rdx_relay_" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Nft(check: false, "delete", "table", "inet", _table);
        TempDirectory.TryDelete(_root);
    }

    [Fact]
    public async Task Over_a_link_capped_at_128_KiB_per_second_that_drops_everything_for_a_while_every_instance_arrives_exactly_once()
    {
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root", "this test needs root for nftables");
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        var port = hub.DicomPort.ToString(CultureInfo.InvariantCulture);
        Nft(check: true, "add", "table", "inet", _table);
        Nft(check: true, "add", "chain", "inet", _table, "out", "{ type filter hook output priority 0 ; }");
        Nft(check: true, "add", "rule", "inet", _table, "out", "tcp", "dport", port, "limit", "rate", "over", "128", "kbytes/second", "drop");

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
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.DicomPort);
        await RemoteDxRelay.StorescuAsync(relay.DicomPort, files);
        await relay.WaitUntilAsync(() => files.Any(f => File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f))), "a first delivery");

        // Outage: every packet to and from the hub's port is dropped (no RST: the relay has to notice by itself).
        Nft(check: true, "add", "rule", "inet", _table, "out", "tcp", "dport", port, "drop");
        Nft(check: true, "add", "rule", "inet", _table, "out", "tcp", "sport", port, "drop");
        await relay.WaitUntilAsync(() => relay.Output.Contains("next try in", StringComparison.Ordinal), "the relay noticing the outage");
        Assert.True(relay.Queued > 0, "the queue drained before the outage");
        await Task.Delay(TimeSpan.FromSeconds(4));
        Nft(check: true, "flush", "chain", "inet", _table, "out");
        Nft(check: true, "add", "rule", "inet", _table, "out", "tcp", "dport", port, "limit", "rate", "over", "128", "kbytes/second", "drop");

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

    private static void Nft(bool check, params string[] args)
    {
        var nft = Tool.Require("nft");
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(nft, args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check)
        {
            Assert.True(p.ExitCode == 0, $"nft {string.Join(' ', args)} failed: {err}");
        }
    }


}
