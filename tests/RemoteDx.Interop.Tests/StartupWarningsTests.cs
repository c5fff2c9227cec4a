using System.Globalization;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>What `remotedx serve` says at start-up about a risky DICOM trust set-up (issue 13): warnings in its log, and
/// a refusal to start for a set-up that cannot work.</summary>
public sealed class StartupWarningsTests
{
    private const string OpenToAnySender = "with an empty AllowedCallingAEs: any calling AE on the network may store";

    [Fact]
    public async Task An_empty_allow_list_on_a_non_loopback_bind_address_is_a_start_up_warning_and_on_loopback_it_is_not()
    {
        var dir = TempDirectory.ForTestRun("rdx-startup-open");
        try
        {
            await using (var open = await RemoteDxServe.StartAsync(Path.Combine(dir, "open"), new Dictionary<string, string>
            {
                ["RemoteDx__Scoring__Workers"] = "0",
                ["RemoteDx__Dicom__BindAddress"] = "0.0.0.0",
            }))
            {
                var line = Assert.Single(Lines(open.Output), l => l.Contains(OpenToAnySender, StringComparison.Ordinal));
                Assert.Contains("warn:", line, StringComparison.Ordinal);
                Assert.Contains("bound to 0.0.0.0", line, StringComparison.Ordinal);
            }
            await using (var loopback = await RemoteDxServe.StartAsync(Path.Combine(dir, "loopback"), new Dictionary<string, string>
            {
                ["RemoteDx__Scoring__Workers"] = "0",
                ["RemoteDx__Dicom__BindAddress"] = "127.0.0.1",
            }))
            {
                Assert.DoesNotContain(OpenToAnySender, loopback.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }

    [Fact]
    public async Task AllowPlainWithClientCertificates_reopening_the_plain_port_under_RequireClientCertificate_is_a_start_up_warning()
    {
        var dir = TempDirectory.ForTestRun("rdx-startup-plain");
        try
        {
            var (cert, key) = SelfSignedCertificate.Create(dir);
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(dir, "data"), new Dictionary<string, string>
            {
                ["RemoteDx__Scoring__Workers"] = "0",
                ["RemoteDx__Dicom__BindAddress"] = "127.0.0.1",
                ["RemoteDx__Dicom__TlsPort"] = "0",
                ["RemoteDx__Dicom__TlsCertificate"] = cert,
                ["RemoteDx__Dicom__TlsKey"] = key,
                ["RemoteDx__Dicom__TrustedClientCa"] = cert,
                ["RemoteDx__Dicom__RequireClientCertificate"] = "true",
                ["RemoteDx__Dicom__AllowPlainWithClientCertificates"] = "true",
            });
            Assert.NotNull(serve.TlsPort);
            var line = Assert.Single(Lines(serve.Output), l => l.Contains("AllowPlainWithClientCertificates too", StringComparison.Ordinal));
            Assert.Contains("warn:", line, StringComparison.Ordinal);
            Assert.Contains(":" + serve.DicomPort.ToString(CultureInfo.InvariantCulture) + " accepts senders without a certificate", line,
                StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }

    [Fact]
    public async Task RequireClientCertificate_without_TrustedClientCa_refuses_to_start_with_one_clear_line()
    {
        var dir = TempDirectory.ForTestRun("rdx-startup-noca");
        try
        {
            var (cert, key) = SelfSignedCertificate.Create(dir);
            using var serve = ChildProcess.Start(RemoteDxCommand.Path,
                ["serve", "--data", Path.Combine(dir, "data"), "--dicom-port", "0", "--http-url", "http://127.0.0.1:0"],
                new Dictionary<string, string>
                {
                    ["RemoteDx__Dicom__TlsPort"] = "0",
                    ["RemoteDx__Dicom__TlsCertificate"] = cert,
                    ["RemoteDx__Dicom__TlsKey"] = key,
                    ["RemoteDx__Dicom__RequireClientCertificate"] = "true",
                    ["DOTNET_NOLOGO"] = "1",
                });
            var code = await serve.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, code);
            var line = Assert.Single(Lines(serve.Output));
            Assert.StartsWith("remotedx: invalid configuration: ", line, StringComparison.Ordinal);
            Assert.Contains("RequireClientCertificate needs TrustedClientCa", line, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
