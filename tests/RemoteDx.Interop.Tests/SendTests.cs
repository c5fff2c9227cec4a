using System.Globalization;
using System.Net.Sockets;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>`remotedx send` against DCMTK storescp with files as clinics have them.</summary>
public sealed class SendTests : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("send");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task A_file_that_makes_storescp_abort_is_set_aside_and_every_other_file_of_the_run_is_delivered()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "files")).FullName;
        var good = Enumerable.Range(0, 8).Select(_ => Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir).Path).ToList();
        // A native data set of odd length (a broken writer's stray trailing byte): storescp aborts on its odd fragment.
        var (poison, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir);
        await using (var fs = new FileStream(poison, FileMode.Append))
        {
            fs.WriteByte(0xFF);
        }
        var outDir = Directory.CreateDirectory(Path.Combine(_root, "out")).FullName;
        var port = LoopbackPort.Free();
        using var storescp = ChildProcess.Start(Tool.Require("storescp"), ["-aet", "STORESCP", "-od", outDir, "+xa", port.ToString(CultureInfo.InvariantCulture)]);
        await WaitForPortAsync(port, storescp);

        var result = await RemoteDxCli.SendAsync(port, [.. good.Take(3), poison, .. good.Skip(3)], "STORESCP");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(good.Count, result.Ok.Count);
        var failed = Assert.Single(result.Failed);
        Assert.StartsWith(poison, failed, StringComparison.Ordinal);
        Assert.Contains("set aside", failed, StringComparison.Ordinal);
        var received = Directory.GetFiles(outDir).Select(p => DicomReader.ReadFile(p).Dataset.GetString(Tag.SOPInstanceUID)).Order().ToList();
        Assert.Equal(good.Select(f => Samples.Uids(f).Sop).Order(), received);
    }

    private static async Task WaitForPortAsync(int port, ChildProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }
}
