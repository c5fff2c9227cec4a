using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>One `remotedx serve` (no scoring workers, so jobs stay countable) with a radiologist to read the API.</summary>
public sealed class OwnershipFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    public string Root { get; } = TempDirectory.ForTestRun("owner");

    public RemoteDxServe Serve { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var data = Path.Combine(Root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        Serve = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
        {
            ["RemoteDx__Scoring__Workers"] = "0",
            ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        });
    }

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
        var d = Path.Combine(Root, "files", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}

/// <summary>DESIGN.md "Between clinics (ownership)" against the real executable with DCMTK's storescu: a study belongs to
/// the clinic that first stored it; another clinic is refused 0124 before anything of the owner's is touched.</summary>
public sealed partial class OwnershipTests(OwnershipFixture fixture) : IClassFixture<OwnershipFixture>
{
    private RemoteDxServe Serve => fixture.Serve;

    private string TempFolder => Path.Combine(Serve.DataDirectory, "tmp");

    private long Audits(string kind, string sop) => IndexDatabase.Count(Serve.DatabasePath,
        "SELECT count(*) FROM audit_events WHERE kind = $kind AND subject = $sop", ("$kind", kind), ("$sop", sop));

    /// <summary>storescu as <paramref name="callingAe"/>; its exit code and everything it printed (-v: the response status).</summary>
    private async Task<(int Code, string Output)> StoreScuAsync(string callingAe, string file)
    {
        using var p = ChildProcess.Start(Tool.Require("storescu"),
            ["-v", "-aet", callingAe, "-aec", "REMOTEDX", "127.0.0.1", Serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Output);
    }

    private static void AssertStored((int Code, string Output) r) =>
        Assert.True(r.Code == 0 && !Refused0124().IsMatch(r.Output), $"storescu exited {r.Code}:\n{r.Output}");

    private static void AssertRefused0124((int Code, string Output) r) =>
        Assert.True(Refused0124().IsMatch(r.Output), $"storescu did not report 0x0124 (exit {r.Code}):\n{r.Output}");

    /// <summary>CT_small in a study and series of its own (the sample's UIDs would make every test share one study).</summary>
    private static (string Path, string Sop) NewStudy(string dir)
    {
        var (study, series) = (Samples.NewUid(), Samples.NewUid());
        return Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), dir, ds =>
        {
            ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
            ds.SetString(Tag.SeriesInstanceUID, VR.UI, series);
        });
    }

    // DCMTK has no name for 0124 and prints "Store Response (Unknown Status: 0x124)".
    [GeneratedRegex(@"Store Response \(.*0x0?124\)")]
    private static partial Regex Refused0124();

    [Fact]
    public async Task Another_clinic_resending_an_owned_SOP_instance_with_changed_bytes_gets_0124_and_the_owners_file_stays_byte_identical()
    {
        var dir = fixture.NewFolder();
        var (original, sop) = NewStudy(dir);
        var forgedDir = Path.Combine(dir, "forged");
        Directory.CreateDirectory(forgedDir);
        var (study, series, _) = Samples.Uids(original);
        var (forged, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), forgedDir, ds =>
        {
            ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
            ds.SetString(Tag.SeriesInstanceUID, VR.UI, series);
            ds.SetString(Tag.PatientName, VR.PN, "FORGED^PATIENT");
        }, sopInstanceUid: sop);

        AssertStored(await StoreScuAsync("CLINIC_A", original));
        var archived = Samples.ArchivePath(Serve.ArchiveRoot, original);
        var before = await File.ReadAllBytesAsync(archived);

        AssertRefused0124(await StoreScuAsync("CLINIC_B", forged));

        Assert.Equal(before, await File.ReadAllBytesAsync(archived));
        Assert.Equal(1, IndexDatabase.Jobs(Serve.DatabasePath, sop));
        Assert.Equal(0, Audits("instance-replaced", sop));
        Assert.Equal(1, Audits("ownership-conflict", sop));
        Assert.Empty(Directory.EnumerateFiles(TempFolder));
    }

    [Fact]
    public async Task Another_clinics_new_series_in_an_owned_study_is_refused_and_the_study_in_the_API_is_unchanged()
    {
        var dir = fixture.NewFolder();
        var (original, _) = NewStudy(dir);
        var (study, _, _) = Samples.Uids(original);
        var joinDir = Path.Combine(dir, "join");
        Directory.CreateDirectory(joinDir);
        var (joining, joiningSop) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), joinDir, ds =>
        {
            ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
            ds.SetString(Tag.SeriesInstanceUID, VR.UI, Samples.NewUid());
        });

        AssertStored(await StoreScuAsync("CLINIC_A", original));
        AssertRefused0124(await StoreScuAsync("CLINIC_B", joining));

        Assert.False(File.Exists(Samples.ArchivePath(Serve.ArchiveRoot, joining)));
        Assert.Equal(0, IndexDatabase.Instances(Serve.DatabasePath, joiningSop));
        Assert.Equal(1, Audits("ownership-conflict", joiningSop));
        Assert.Empty(Directory.EnumerateFiles(TempFolder));

        using var api = new ApiClient(Serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", OwnershipFixture.Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        var detail = await api.GetJsonAsync($"api/studies/{study}");
        var series = detail.GetProperty("series");
        Assert.Equal(1, series.GetArrayLength());
        Assert.Equal(1, series[0].GetProperty("instances").GetArrayLength());
    }

    [Fact]
    public async Task The_owners_identical_resend_is_0000_without_a_new_job_and_its_replacement_is_0000_and_audited()
    {
        var dir = fixture.NewFolder();
        var (original, sop) = NewStudy(dir);
        var changedDir = Path.Combine(dir, "changed");
        Directory.CreateDirectory(changedDir);
        var (study, series, _) = Samples.Uids(original);
        var (changed, _) = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), changedDir, ds =>
        {
            ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
            ds.SetString(Tag.SeriesInstanceUID, VR.UI, series);
            ds.SetString(Tag.PatientName, VR.PN, "CORRECTED^NAME");
        }, sopInstanceUid: sop);

        AssertStored(await StoreScuAsync("CLINIC_A", original));
        AssertStored(await StoreScuAsync("CLINIC_A", original));
        Assert.Equal(1, IndexDatabase.Jobs(Serve.DatabasePath, sop));
        Assert.Equal(0, Audits("instance-replaced", sop));

        AssertStored(await StoreScuAsync("CLINIC_A", changed));
        Assert.Equal(2, IndexDatabase.Jobs(Serve.DatabasePath, sop));
        Assert.Equal(1, Audits("instance-replaced", sop));
        Assert.Equal(0, Audits("ownership-conflict", sop));
        DatasetComparer.AssertSameDataset(changed, await File.ReadAllBytesAsync(Samples.ArchivePath(Serve.ArchiveRoot, changed)), "owner's replacement");
    }
}
