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

    [Fact]
    public async Task Serve_refuses_destination_TLS_files_that_are_missing_unloadable_unpaired_or_set_without_Tls()
    {
        var dir = TempDirectory.ForTestRun();
        var notPem = Path.Combine(dir, "not-a-ca.pem");
        await File.WriteAllTextAsync(notPem, "this is not a certificate\n");
        var missing = Path.Combine(dir, "missing.pem");
        var (code, _, stderr) = await RemoteDxCommand.RunAsync(["serve", "--data", Path.Combine(dir, "data"),
            // 0: TLS options without Tls: true, and a certificate without its key.
            "--RemoteDx:Results:Destinations:0:Clinic=CLINIC_A", "--RemoteDx:Results:Destinations:0:AeTitle=PACS_A",
            "--RemoteDx:Results:Destinations:0:Host=pacs-a", $"--RemoteDx:Results:Destinations:0:ClientCertificate={notPem}",
            // 1: a CA file that does not exist, and a certificate and key that do not load.
            "--RemoteDx:Results:Destinations:1:Clinic=CLINIC_B", "--RemoteDx:Results:Destinations:1:AeTitle=PACS_B",
            "--RemoteDx:Results:Destinations:1:Host=pacs-b", "--RemoteDx:Results:Destinations:1:Tls=true",
            $"--RemoteDx:Results:Destinations:1:TrustedCa={missing}",
            $"--RemoteDx:Results:Destinations:1:ClientCertificate={notPem}", $"--RemoteDx:Results:Destinations:1:ClientKey={notPem}",
            // 2: a CA file with no certificate in it, a key whose file is missing.
            "--RemoteDx:Results:Destinations:2:Clinic=CLINIC_C", "--RemoteDx:Results:Destinations:2:AeTitle=PACS_C",
            "--RemoteDx:Results:Destinations:2:Host=pacs-c", "--RemoteDx:Results:Destinations:2:Tls=true",
            $"--RemoteDx:Results:Destinations:2:TrustedCa={notPem}",
            $"--RemoteDx:Results:Destinations:2:ClientCertificate={notPem}", $"--RemoteDx:Results:Destinations:2:ClientKey={missing}"]);
        Assert.Equal(2, code);
        Assert.StartsWith("remotedx: invalid configuration: ", stderr, StringComparison.Ordinal);
        Assert.Contains("RemoteDx:Results:Destinations:0: TrustedCa, ClientCertificate, ClientKey and ServerName need Tls: true", stderr, StringComparison.Ordinal);
        Assert.Contains("RemoteDx:Results:Destinations:0:ClientCertificate and ClientKey (PEM files) go together", stderr, StringComparison.Ordinal);
        Assert.Contains($"RemoteDx:Results:Destinations:1:TrustedCa '{missing}' not found", stderr, StringComparison.Ordinal);
        Assert.Contains($"RemoteDx:Results:Destinations:1:ClientCertificate '{notPem}' with ClientKey '{notPem}' does not load", stderr, StringComparison.Ordinal);
        Assert.Contains($"RemoteDx:Results:Destinations:2:TrustedCa '{notPem}' is not a PEM file of CA certificates", stderr, StringComparison.Ordinal);
        Assert.Contains($"RemoteDx:Results:Destinations:2:ClientKey '{missing}' not found", stderr, StringComparison.Ordinal);
        TempDirectory.TryDelete(dir);
    }
}
