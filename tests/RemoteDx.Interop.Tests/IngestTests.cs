using System.Text.RegularExpressions;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>One `remotedx serve` shared by the ingest tests that need no special start-up; each test uses its own
/// SOP Instance UIDs.</summary>
public sealed class ServeFixture : IAsyncLifetime
{
    public string Root { get; } = TempDirectory.ForTestRun("ingest");

    public RemoteDxServe Serve { get; private set; } = null!;

    public async Task InitializeAsync() => Serve = await RemoteDxServe.StartAsync(Path.Combine(Root, "data"));

    public async Task DisposeAsync()
    {
        if (Serve is not null)
        {
            await Serve.DisposeAsync();
        }
        TempDirectory.TryDelete(Root);
    }

    public string NewFolder()
    {
        var d = Path.Combine(Root, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}

/// <summary>The durability rule and re-send semantics (DESIGN.md), checked with real peers against the real executable.</summary>
public sealed partial class IngestTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    private RemoteDxServe Serve => fixture.Serve;

    [Fact]
    public async Task C_STORE_success_is_sent_only_after_the_instance_is_on_disk_and_indexed()
    {
        var storescu = Tool.Require("storescu");
        var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), fixture.NewFolder());
        using var p = ChildProcess.Start(storescu, ["-aet", "RDXTEST", "-aec", "REMOTEDX", "127.0.0.1", Serve.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture), file]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"storescu exited {code}:\n{p.Output}");

        // Checked the moment storescu returns: nothing may still be in flight inside serve.
        var archived = Samples.ArchivePath(Serve.ArchiveRoot, file);
        Assert.True(File.Exists(archived), $"archive file missing right after success: {archived}");
        Assert.Equal(1, IndexDatabase.Instances(Serve.DatabasePath, sop));
        Assert.Equal(1, IndexDatabase.Jobs(Serve.DatabasePath, sop));
        DatasetComparer.AssertSameDataset(file, await File.ReadAllBytesAsync(archived), "storescu → RemoteDx");
    }

    [Fact]
    public async Task Resending_identical_bytes_adds_no_job_and_different_bytes_replace_the_file_with_an_audit_event()
    {
        var dir = fixture.NewFolder();
        var (first, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir);
        var changedDir = Path.Combine(dir, "changed");
        Directory.CreateDirectory(changedDir);
        var (changed, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), changedDir,
            ds => ds.SetString(Tag.PatientName, VR.PN, "REPLACED^PATIENT"), sopInstanceUid: sop);
        var db = Serve.DatabasePath;
        long Replacements() => IndexDatabase.Count(db,
            "SELECT count(*) FROM audit_events WHERE kind = 'instance-replaced' AND subject = $sop", ("$sop", sop));

        var r1 = await RemoteDxCli.SendAsync(Serve.DicomPort, [first], "REMOTEDX");
        Assert.True(r1.ExitCode == 0, r1.Output);
        Assert.Equal(1, IndexDatabase.Jobs(db, sop));

        var r2 = await RemoteDxCli.SendAsync(Serve.DicomPort, [first], "REMOTEDX");
        Assert.True(r2.ExitCode == 0, r2.Output);
        Assert.Equal(1, IndexDatabase.Jobs(db, sop));
        Assert.Equal(0, Replacements());

        var r3 = await RemoteDxCli.SendAsync(Serve.DicomPort, [changed], "REMOTEDX");
        Assert.True(r3.ExitCode == 0, r3.Output);
        var archived = Samples.ArchivePath(Serve.ArchiveRoot, changed);
        Assert.Equal("REPLACED^PATIENT", DicomReader.ReadFile(archived).Dataset.GetString(Tag.PatientName));
        DatasetComparer.AssertSameDataset(changed, await File.ReadAllBytesAsync(archived), "replacement");
        Assert.Equal(2, IndexDatabase.Jobs(db, sop));
        Assert.Equal(1, Replacements());
        Assert.Equal(1, IndexDatabase.Instances(db, sop));
        // The replacement is atomic: no temp file is left beside it.
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(archived)!, "*.tmp"));
    }

    [Fact]
    public async Task A_dataset_with_an_invalid_Study_Instance_UID_gets_C000_and_is_not_archived()
    {
        var (file, sop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), fixture.NewFolder(),
            ds => ds.SetString(Tag.StudyInstanceUID, VR.UI, "1.2.abc"));

        var result = await RemoteDxCli.SendAsync(Serve.DicomPort, [file], "REMOTEDX");
        Assert.Equal(1, result.ExitCode);
        var failed = Assert.Single(result.Failed);
        Assert.Matches(StatusC000(), failed);
        Assert.Empty(Directory.EnumerateFiles(Serve.ArchiveRoot, sop + ".dcm", SearchOption.AllDirectories));
        Assert.Equal(0, IndexDatabase.Instances(Serve.DatabasePath, sop));
        Assert.Equal(0, IndexDatabase.Jobs(Serve.DatabasePath, sop));
    }

    [GeneratedRegex(@"status C000\b")]
    private static partial Regex StatusC000();
}
