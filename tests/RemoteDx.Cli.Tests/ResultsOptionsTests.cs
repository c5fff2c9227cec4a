using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests;

/// <summary>RemoteDx:Results:Destinations is validated at start-up: serve refuses to start, naming every bad entry.</summary>
public sealed class ResultsOptionsTests
{
    [Fact]
    public async Task Serve_refuses_a_result_destination_without_AE_title_host_or_valid_port_and_names_each_problem()
    {
        var (code, _, stderr) = await RemoteDxCommand.RunAsync(["serve", "--data", TempDirectory.ForTestRun(),
            "--RemoteDx:Results:Destinations:0:Clinic=CLINIC_A", "--RemoteDx:Results:Destinations:0:AeTitle=THIS_AE_TITLE_IS_TOO_LONG",
            "--RemoteDx:Results:Destinations:0:Host=pacs", "--RemoteDx:Results:Destinations:0:Port=70000",
            "--RemoteDx:Results:Destinations:1:AeTitle=PACS_B", "--RemoteDx:Results:Destinations:1:Port=104"]);
        Assert.Equal(2, code);
        Assert.StartsWith("remotedx: invalid configuration: ", stderr, StringComparison.Ordinal);
        Assert.Contains("RemoteDx:Results:Destinations:0:AeTitle 'THIS_AE_TITLE_IS_TOO_LONG' must be 1-16 printable characters", stderr, StringComparison.Ordinal);
        Assert.Contains("RemoteDx:Results:Destinations:0:Port 70000 is not a TCP port", stderr, StringComparison.Ordinal);
        Assert.Contains("RemoteDx:Results:Destinations:1:Clinic must be set", stderr, StringComparison.Ordinal);
        Assert.Contains("RemoteDx:Results:Destinations:1:Host must be set", stderr, StringComparison.Ordinal);
    }
}
