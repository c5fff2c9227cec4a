using System.Globalization;
using RemoteDx.Dicom.Network;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>DESIGN.md "Durability modes" for `remotedx relay` (issue 14 item 1): SIGTERM drains as serve does. New
/// associations are rejected transient, the modality's open association finishes, the forward to the hub in flight
/// finishes or is cut at the DrainSeconds deadline with its instances still queued, the relay exits 0, and every
/// instance it acknowledged reaches the hub once the relay runs again.</summary>
public sealed class RelayDrainTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("relaydrain");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task SIGTERM_mid_send_lets_the_modality_finish_rejects_new_associations_transient_exits_0_and_every_acknowledged_instance_reaches_the_hub_after_a_restart()
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        var files = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        var sopOf = new Dictionary<string, string>(StringComparer.Ordinal);
        // Enough instances that the modality is still sending when SIGTERM comes, however fast the relay takes them
        // (150 were sent in full before the test saw its tenth response once ingest got faster).
        for (var i = 0; i < 400; i++)
        {
            var (path, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), files);
            sopOf[path] = sop;
        }
        var ordered = sopOf.Keys.Order(StringComparer.Ordinal).ToList();
        var data = Path.Combine(_root, "relay");
        // A slow link (64 KiB/s, ~1.6 instances a second) keeps a forward to the hub in flight through the drain.
        var relay = await RemoteDxRelay.StartAsync(data, hub.DicomPort, null,
            new Dictionary<string, string> { ["RemoteDx__Relay__Dicom__DrainSeconds"] = "15" }, "--max-rate", "64");
        string said;
        try
        {
            using var storescu = ChildProcess.Start(Tool.Require("storescu"),
                ["-v", "-aet", "MODALITY", "-aec", RemoteDxRelay.ClinicAe, "127.0.0.1", relay.DicomPort.ToString(CultureInfo.InvariantCulture), .. ordered]);
            var sent = storescu.WaitAsync(TimeSpan.FromSeconds(120));
            while (!sent.IsCompleted && Responses(storescu.Output) < 3)
            {
                await Task.Delay(10);
            }
            Assert.False(sent.IsCompleted, "storescu finished before SIGTERM:\n" + storescu.Output);
            relay.Terminate();
            var atSigterm = Responses(storescu.Output);
            await Task.Delay(300);

            // A new association during the drain is rejected transient (PS3.8 7.1.1.9): the modality retries later.
            using (var echoscu = ChildProcess.Start(Tool.Require("echoscu"),
                ["-v", "-aet", "LATE", "-aec", RemoteDxRelay.ClinicAe, "127.0.0.1", relay.DicomPort.ToString(CultureInfo.InvariantCulture)]))
            {
                await echoscu.WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Contains("Association Rejected", echoscu.Output, StringComparison.Ordinal);
                Assert.Contains("Rejected Transient", echoscu.Output, StringComparison.OrdinalIgnoreCase);
            }

            var code = await sent;
            var exit = await relay.WaitForExitAsync(TimeSpan.FromSeconds(90));
            said = storescu.Output;
            output.WriteLine($"SIGTERM after {atSigterm} responses; storescu exit {code}; relay exit {exit}; {relay.Queued} left queued\n{relay.Output}");
            Assert.True(code == 0, $"storescu exited {code}:\n{said}\n--- relay\n{relay.Output}");
            Assert.DoesNotContain("Abort", said, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Releasing Association", said, StringComparison.Ordinal);
            Assert.Equal(0, exit);
            Assert.Contains("SIGTERM: draining", relay.Output, StringComparison.Ordinal);
            Assert.True(relay.Queued > 0, "the slow forward emptied the queue during the drain: nothing was left to check after the restart");
        }
        finally
        {
            await relay.DisposeAsync();
        }

        // Every instance the relay acknowledged is queued or already at the hub; after a restart all of them are there.
        var acknowledged = StorescuLog.Acknowledged(said);
        Assert.Equal(ordered.Count, acknowledged.Count);
        await using var restarted = await RemoteDxRelay.StartAsync(data, hub.DicomPort);
        await restarted.WaitUntilAsync(() => restarted.Queued == 0, "delivery after the restart", 120);
        foreach (var path in acknowledged)
        {
            Assert.True(File.Exists(Samples.ArchivePath(hub.ArchiveRoot, path)), $"{Path.GetFileName(path)}: acknowledged by the relay, not at the hub");
            Assert.Equal(1, IndexDatabase.Instances(hub.DatabasePath, sopOf[path]));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(data, "failed")));
    }

    [Fact]
    public async Task A_second_SIGTERM_cuts_the_relays_drain_short_and_it_still_exits_0()
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.DicomPort, null,
            new Dictionary<string, string> { ["RemoteDx__Relay__Dicom__DrainSeconds"] = "120" });
        await using var idle = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = relay.DicomPort, CalledAE = RemoteDxRelay.ClinicAe, CallingAE = "IDLE" },
            [PresentationContextProposal.Verification]);
        Assert.Equal(0x0000, (await idle.EchoAsync()).Code);

        relay.Terminate();
        await Task.Delay(500);
        Assert.False(relay.HasExited, "the relay did not wait for the open association:\n" + relay.Output);
        relay.Terminate();
        var exit = await relay.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"relay exit {exit}\n{relay.Output}");
        Assert.Equal(0, exit);
        Assert.Contains("second SIGTERM", relay.Output, StringComparison.Ordinal);
        Assert.Contains("1 associations aborted", relay.Output, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(async () => await idle.EchoAsync());
    }

    private static int Responses(string storescuOutput)
    {
        var n = 0;
        for (var at = storescuOutput.IndexOf("Received Store Response", StringComparison.Ordinal); at >= 0;
            at = storescuOutput.IndexOf("Received Store Response", at + 1, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }
}
