using System.Globalization;
using RemoteDx.Dicom.Network;
using RemoteDx.Interop.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Interop.Tests;

/// <summary>DESIGN.md "Durability modes": SIGTERM drains. A real `remotedx serve` and DCMTK peers: no new associations,
/// the live ones finish within DrainSeconds, what is left is aborted at the deadline, and the process exits 0.</summary>
public sealed class DrainTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("drain");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task SIGTERM_mid_send_lets_storescu_finish_its_association_and_every_acknowledged_file_is_archived_and_indexed()
    {
        var source = Tool.PydicomTestFile("CT_small.dcm");
        var files = Path.Combine(_root, "files");
        Directory.CreateDirectory(files);
        var sopOf = new Dictionary<string, string>(StringComparer.Ordinal);
        // Enough instances that the modality is still sending when SIGTERM comes, however fast serve takes them.
        for (var i = 0; i < 400; i++)
        {
            var (path, sop) = Samples.Copy(source, files);
            sopOf[path] = sop;
        }
        var ordered = sopOf.Keys.Order(StringComparer.Ordinal).ToList();
        await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"),
            new Dictionary<string, string> { ["RemoteDx__Dicom__DrainSeconds"] = "60" });

        // DCMTK logs to stderr: watch the collected output for the 3rd response, then SIGTERM mid-transfer.
        using var storescu = ChildProcess.Start(Tool.Require("storescu"),
            ["-v", "-aet", "CLINIC_A", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), .. ordered]);
        var sent = storescu.WaitAsync(TimeSpan.FromSeconds(120));
        while (!sent.IsCompleted && Responses(storescu.Output) < 3)
        {
            await Task.Delay(10);
        }
        Assert.False(sent.IsCompleted, "storescu finished before SIGTERM:\n" + storescu.Output);
        serve.Terminate();
        var atSigterm = Responses(storescu.Output);

        var code = await sent;
        var exit = await serve.WaitForExitAsync(TimeSpan.FromSeconds(90));
        output.WriteLine($"SIGTERM after {atSigterm} responses; storescu exit {code}; serve exit {exit}");
        Assert.True(code == 0, $"storescu exited {code}:\n{storescu.Output}\n--- serve\n{serve.Output}");
        Assert.Contains("Releasing Association", storescu.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Abort", storescu.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, exit);

        // storescu -v: "Sending file: PATH" ... "Received Store Response (Success)" for each file in order.
        var acknowledged = StorescuLog.Acknowledged(storescu.Output);
        Assert.Equal(ordered.Count, acknowledged.Count);
        foreach (var path in acknowledged)
        {
            Assert.True(File.Exists(Samples.ArchivePath(serve.ArchiveRoot, path)), $"{path}: acknowledged, not archived");
            Assert.Equal(1, IndexDatabase.Instances(serve.DatabasePath, sopOf[path]));
        }
        Assert.True(atSigterm < ordered.Count, "SIGTERM came after the last response");
    }

    [Fact]
    public async Task SIGTERM_with_an_idle_association_aborts_it_at_the_DrainSeconds_deadline_and_exits_0()
    {
        await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"),
            new Dictionary<string, string> { ["RemoteDx__Dicom__DrainSeconds"] = "4" });
        await using var idle = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = serve.DicomPort, CalledAE = "REMOTEDX", CallingAE = "IDLE" },
            [PresentationContextProposal.Verification]);
        Assert.Equal(0x0000, (await idle.EchoAsync()).Code);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        serve.Terminate();
        await Task.Delay(300);

        // A new association during the drain is rejected transient (PS3.8 7.1.1.9), so the sender retries later.
        using var echoscu = ChildProcess.Start(Tool.Require("echoscu"),
            ["-v", "-aet", "LATE", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture)]);
        var echoCode = await echoscu.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"echoscu exit {echoCode}:\n{echoscu.Output}");
        Assert.Contains("Association Rejected", echoscu.Output, StringComparison.Ordinal);
        Assert.Contains("Rejected Transient", echoscu.Output, StringComparison.OrdinalIgnoreCase);

        var exit = await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var took = stopwatch.Elapsed;
        output.WriteLine($"serve exit {exit} after {took.TotalSeconds:0.0} s\n{serve.Output}");
        Assert.Equal(0, exit);
        Assert.True(took >= TimeSpan.FromSeconds(3.5), $"serve did not wait for the drain ({took.TotalSeconds:0.0} s)");
        Assert.Contains("Drain deadline: aborting 1 associations", serve.Output, StringComparison.Ordinal);
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

    [Fact]
    public async Task A_second_SIGTERM_cuts_the_drain_short_and_still_exits_0()
    {
        await using var serve = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"),
            new Dictionary<string, string> { ["RemoteDx__Dicom__DrainSeconds"] = "120" });
        await using var idle = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = serve.DicomPort, CalledAE = "REMOTEDX", CallingAE = "IDLE" },
            [PresentationContextProposal.Verification]);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        serve.Terminate();
        await Task.Delay(500);
        Assert.False(serve.HasExited, "serve did not drain:\n" + serve.Output);
        serve.Terminate();
        var exit = await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"serve exit {exit} after {stopwatch.Elapsed.TotalSeconds:0.0} s\n{serve.Output}");
        Assert.Equal(0, exit);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), "the second SIGTERM did not cut the drain short");
        Assert.Contains("second SIGTERM", serve.Output, StringComparison.Ordinal);
    }
}
