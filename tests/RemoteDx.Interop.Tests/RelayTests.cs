using System.Globalization;
using System.Text.RegularExpressions;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>storescu → `remotedx relay` → `remotedx serve`, all child processes on loopback (DESIGN.md "Relay").</summary>
public sealed partial class RelayTests : IDisposable
{
    private readonly string _root = TempDirectory.ForTestRun("relay");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task Every_instance_sent_to_the_relay_arrives_at_the_hub_exactly_once_with_its_data_set_byte_identical()
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.DicomPort);
        var files = MakeStudies(3, 4);

        await RemoteDxRelay.StorescuAsync(relay.DicomPort, files);
        // The relay logs a batch's line after the hub answered it, so wait for the lines too.
        await relay.WaitUntilAsync(() => relay.Queued == 0 && files.All(f => File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f)))
            && ForwardedCount(relay.Output) == files.Count, "delivery");

        foreach (var f in files)
        {
            var archived = Samples.ArchivePath(hub.ArchiveRoot, f);
            Assert.True(RemoteDxRelay.DatasetBytes(f).SequenceEqual(RemoteDxRelay.DatasetBytes(archived)), $"{Path.GetFileName(f)}: data set bytes differ at the hub");
            var sop = Samples.Uids(f).Sop;
            Assert.Equal(1, IndexDatabase.Instances(hub.DatabasePath, sop));
        }
        // The hub sees the clinic's AE title, and the relay logs one line per study forwarded.
        Assert.Equal(files.Count, IndexDatabase.Count(hub.DatabasePath,
            "SELECT count(*) FROM instances WHERE calling_ae = $ae", ("$ae", RemoteDxRelay.ClinicAe)));
        // (A study whose instances were forwarded in more than one batch gets a line per batch.)
        var lines = relay.Output.Split('\n').Select(l => ForwardedLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(files.Count, lines.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(files.Select(f => Samples.Uids(f).Study).Distinct().Order(), lines.Select(m => m.Groups[2].Value).Distinct().Order());
        var status = await RelayStatusAsync(relay.DataDirectory);
        Assert.Contains($"sent: {files.Count}", status, StringComparison.Ordinal);
        Assert.Contains("queued: 0", status, StringComparison.Ordinal);
    }

    private static int ForwardedCount(string output) => output.Split('\n').Select(l => ForwardedLine().Match(l)).Where(m => m.Success)
        .Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("jpeg-ls", "1.2.840.10008.1.2.4.80", "dcmdjpls")]
    [InlineData("j2k", "1.2.840.10008.1.2.4.90", "gdcmconv")]
    public async Task With_compress_the_hub_archives_a_lossless_file_whose_pixels_a_second_implementation_decodes_to_the_original(
        string compress, string syntax, string reference)
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.DicomPort, "--compress", compress);
        var files = MakeStudies(1, 2);

        await RemoteDxRelay.StorescuAsync(relay.DicomPort, files);
        await relay.WaitUntilAsync(() => relay.Queued == 0 && files.All(f => File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f))), "delivery");

        foreach (var f in files)
        {
            var archived = Samples.ArchivePath(hub.ArchiveRoot, f);
            Assert.Equal(syntax, DicomFile.Open(archived).TransferSyntax.Uid);
            var decoded = Path.Combine(_root, Path.GetFileName(f) + ".native.dcm");
            var args = reference == "dcmdjpls" ? new[] { archived, decoded } : ["--raw", archived, decoded];
            Tool.RunOk(reference, args);
            var original = DicomFile.Open(f).Dataset[Tag.PixelData]!.Buffer.ToArray();
            var theirs = DicomFile.Open(decoded).Dataset[Tag.PixelData]!.Buffer.ToArray();
            Assert.True(original.SequenceEqual(theirs), $"{Path.GetFileName(f)}: {reference} decodes other pixels than were sent");
            Assert.True(new FileInfo(archived).Length < new FileInfo(f).Length, "the archived file is not smaller");
            Assert.Equal(1, IndexDatabase.Instances(hub.DatabasePath, Samples.Uids(f).Sop));
        }
    }

    [Fact]
    public async Task With_the_hub_down_the_relay_still_acknowledges_and_delivers_once_the_hub_is_up_without_operator_action()
    {
        await using var link = new LinkGate();
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), link.Port);
        var files = MakeStudies(2, 3);

        // storescu gets 0000 for every instance while nothing listens at the hub's address.
        await RemoteDxRelay.StorescuAsync(relay.DicomPort, files);
        Assert.Equal(files.Count, relay.Queued);
        await relay.WaitUntilAsync(() => relay.Output.Contains("next try in", StringComparison.Ordinal), "a failed attempt");
        Assert.Contains("last error:", await RelayStatusAsync(relay.DataDirectory), StringComparison.Ordinal);

        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        link.Up(hub.DicomPort);
        await relay.WaitUntilAsync(() => relay.Queued == 0, "delivery after the hub came up");
        foreach (var f in files)
        {
            Assert.True(File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f)), $"{Path.GetFileName(f)} missing at the hub");
            Assert.Equal(1, IndexDatabase.Instances(hub.DatabasePath, Samples.Uids(f).Sop));
        }
    }

    [Fact]
    public async Task A_relay_killed_with_SIGKILL_mid_forward_loses_nothing_after_restart_and_the_hub_holds_no_duplicates()
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        var data = Path.Combine(_root, "relay");
        var files = MakeStudies(4, 6);
        // A slow link (64 KiB/s) keeps the forwarder busy long enough to be killed in the middle.
        var relay = await RemoteDxRelay.StartAsync(data, hub.DicomPort, "--max-rate", "64");
        try
        {
            await RemoteDxRelay.StorescuAsync(relay.DicomPort, files);
            await relay.WaitUntilAsync(() => files.Any(f => File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f))), "a first delivery");
            Assert.True(relay.Queued > 0, "the forwarder finished before it could be killed");
            relay.KillHard();
        }
        finally
        {
            await relay.DisposeAsync();
        }

        await using var restarted = await RemoteDxRelay.StartAsync(data, hub.DicomPort);
        await restarted.WaitUntilAsync(() => restarted.Queued == 0, "delivery after restart");
        foreach (var f in files)
        {
            var sop = Samples.Uids(f).Sop;
            Assert.True(RemoteDxRelay.DatasetBytes(f).SequenceEqual(RemoteDxRelay.DatasetBytes(Samples.ArchivePath(hub.ArchiveRoot, f))), $"{sop} differs at the hub");
            Assert.Equal(1, IndexDatabase.Instances(hub.DatabasePath, sop));
            Assert.Equal(1, IndexDatabase.Jobs(hub.DatabasePath, sop));
        }
        Assert.Equal(0, IndexDatabase.Count(hub.DatabasePath, "SELECT count(*) FROM audit_events WHERE kind = 'instance-replaced'"));
    }

    [Fact]
    public async Task An_instance_the_hub_refuses_goes_to_failed_with_the_hubs_status_and_the_rest_are_delivered()
    {
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"));
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.DicomPort);
        var dir = Directory.CreateDirectory(Path.Combine(_root, "bad")).FullName;
        // The relay only checks the UIDs it names files with; the hub's archive refuses a bad Series Instance UID (C000).
        var (bad, badSop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir, ds => ds.SetString(Tag.SeriesInstanceUID, VR.UI, "not-a-uid"));
        var good = MakeStudies(1, 2);

        await RemoteDxRelay.StorescuAsync(relay.DicomPort, [bad, .. good]);
        await relay.WaitUntilAsync(() => relay.Queued == 0, "the queue to drain");

        foreach (var f in good)
        {
            Assert.True(File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f)));
        }
        var reason = Assert.Single(Directory.GetFiles(relay.FailedDirectory, "*.json"));
        Assert.Contains(badSop, reason, StringComparison.Ordinal);
        var json = await File.ReadAllTextAsync(reason);
        Assert.Contains("\"status\": \"C000\"", json, StringComparison.Ordinal);
        Assert.Contains("Series Instance UID", json, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(relay.FailedDirectory, "*.dcm"));
        var status = await RelayStatusAsync(relay.DataDirectory);
        Assert.Contains("failed: 1", status, StringComparison.Ordinal);
        Assert.Contains("status C000", status, StringComparison.Ordinal);
        // Refused for good: not retried.
        await Task.Delay(1500);
        Assert.Equal(1, relay.Output.Split('\n').Count(l => l.Contains("hub refused", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Over_mutual_TLS_the_relay_presents_the_clinic_certificate_and_AE_title_and_delivers()
    {
        var ca = TestCertificateAuthority.Create(Directory.CreateDirectory(Path.Combine(_root, "certs")).FullName, "clinic-ca");
        var (serverCert, serverKey) = ca.IssueServer("server");
        var (clinicCert, clinicKey) = ca.IssueClient("clinic", "/CN=" + RemoteDxRelay.ClinicAe);
        await using var hub = await RemoteDxServe.StartAsync(Path.Combine(_root, "hub"), new Dictionary<string, string>
        {
            ["RemoteDx__Dicom__TlsPort"] = "0",
            ["RemoteDx__Dicom__TlsCertificate"] = serverCert,
            ["RemoteDx__Dicom__TlsKey"] = serverKey,
            ["RemoteDx__Dicom__RequireClientCertificate"] = "true",
            ["RemoteDx__Dicom__TrustedClientCa"] = ca.Certificate,
            // The clinic's AE title is pinned to its certificate, so the hub's sender-identity check applies.
            ["RemoteDx__Dicom__AllowedCallingAEs__0__AeTitle"] = RemoteDxRelay.ClinicAe,
            ["RemoteDx__Dicom__AllowedCallingAEs__0__CertificateSubject"] = "CN=" + RemoteDxRelay.ClinicAe,
        });
        await using var relay = await RemoteDxRelay.StartAsync(Path.Combine(_root, "relay"), hub.TlsPort!.Value,
            "--tls", "--ca", ca.Certificate, "--cert", clinicCert, "--key", clinicKey);
        var files = MakeStudies(1, 3);

        await RemoteDxRelay.StorescuAsync(relay.DicomPort, files);
        await relay.WaitUntilAsync(() => relay.Queued == 0, "delivery over TLS");

        Assert.All(files, f => Assert.True(File.Exists(Samples.ArchivePath(hub.ArchiveRoot, f))));
        Assert.True(IndexDatabase.Count(hub.DatabasePath, "SELECT count(*) FROM associations WHERE tls = 1 AND calling_ae = $ae AND instances > 0",
            ("$ae", RemoteDxRelay.ClinicAe)) >= 1);
    }

    private List<string> MakeStudies(int studies, int perStudy)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "files-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var files = new List<string>();
        for (var s = 0; s < studies; s++)
        {
            var study = Samples.NewUid();
            var series = Samples.NewUid();
            for (var i = 0; i < perStudy; i++)
            {
                files.Add(Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir, ds =>
                {
                    ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
                    ds.SetString(Tag.SeriesInstanceUID, VR.UI, series);
                    // storescu drops trailing padding before sending; without it, what storescu sends is the file.
                    ds.Remove(Tag.DataSetTrailingPadding);
                }).Path);
            }
        }
        return files;
    }


    private static async Task<string> RelayStatusAsync(string data)
    {
        using var p = ChildProcess.Start(RemoteDxCommand.Path, ["relay", "status", "--data", data]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, p.Output);
        return p.Output;
    }

    [GeneratedRegex(@"forwarded (\d+) instances of study (\S+) to")]
    private static partial Regex ForwardedLine();

}
