using System.Globalization;
using System.Net.Sockets;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>The listener's budgets against the real executable: idle sockets cannot starve a real sender, and a data set
/// over MaxInstanceBytes is refused A700 with nothing left behind.</summary>
public sealed class ListenerLimitsTests
{
    [Fact]
    public async Task Forty_idle_TCP_connections_without_an_A_ASSOCIATE_RQ_do_not_stop_a_real_storescu()
    {
        var dir = TempDirectory.ForTestRun("limits");
        var idle = new List<TcpClient>();
        try
        {
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(dir, "data"));
            for (var i = 0; i < 40; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", serve.DicomPort);
                idle.Add(c);
            }
            var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir);
            using var p = ChildProcess.Start(Tool.Require("storescu"),
                ["-aet", "CLINIC_A", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
            var code = await p.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"storescu exited {code}:\n{p.Output}");
            Assert.DoesNotContain("Rejected", p.Output, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, IndexDatabase.Instances(serve.DatabasePath, sop));
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
            TempDirectory.TryDelete(dir);
        }
    }

    [Fact]
    public async Task A_data_set_over_MaxInstanceBytes_is_answered_A700_and_no_temp_file_is_left()
    {
        var dir = TempDirectory.ForTestRun("maxbytes");
        try
        {
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(dir, "data"), new Dictionary<string, string>
            {
                ["RemoteDx__Dicom__MaxInstanceBytes"] = "4096",
            });
            var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir);
            using var p = ChildProcess.Start(Tool.Require("storescu"),
                ["-v", "-aet", "CLINIC_A", "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
            await p.WaitAsync(TimeSpan.FromSeconds(60));
            // DCMTK names A7xx "Refused: OutOfResources".
            Assert.True(p.Output.Contains("Store Response (Refused: OutOfResources)", StringComparison.Ordinal), "storescu did not report A700:\n" + p.Output);
            Assert.Equal(0, IndexDatabase.Instances(serve.DatabasePath, sop));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(serve.DataDirectory, "tmp")));
            Assert.Empty(Directory.EnumerateFiles(serve.ArchiveRoot, "*.dcm", SearchOption.AllDirectories));
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }
}
