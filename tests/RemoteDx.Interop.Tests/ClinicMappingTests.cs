using System.Globalization;
using System.Net;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>`AllowedCallingAEs` entries map AE titles to a clinic: the clinic owns the study, whichever of its AEs sent it,
/// and a clinic user made with `--clinic CLINIC` sees that clinic's studies.</summary>
public sealed class ClinicMappingTests
{
    private const string Password = "correct horse 2";

    [Fact]
    public async Task Two_AEs_mapped_to_one_clinic_share_its_studies_and_an_AE_of_another_clinic_is_refused()
    {
        var dir = TempDirectory.ForTestRun("clinic-map");
        try
        {
            var data = Path.Combine(dir, "data");
            await RemoteDxUsers.AddAsync(data, "hill", "clinic", Password, ["Hill"]);
            await RemoteDxUsers.AddAsync(data, "dale", "clinic", Password, ["DALE_CT"]);
            await using var serve = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
            {
                ["RemoteDx__Scoring__Workers"] = "0",
                ["RemoteDx__Dicom__AllowedCallingAEs__0__AeTitle"] = "HILL_CT",
                ["RemoteDx__Dicom__AllowedCallingAEs__0__Clinic"] = "Hill",
                ["RemoteDx__Dicom__AllowedCallingAEs__1__AeTitle"] = "HILL_DX",
                ["RemoteDx__Dicom__AllowedCallingAEs__1__Clinic"] = "Hill",
                ["RemoteDx__Dicom__AllowedCallingAEs__2__AeTitle"] = "DALE_CT",
            });
            var study = Samples.NewUid();
            string Instance(string name) => Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), Directory.CreateDirectory(Path.Combine(dir, name)).FullName, ds =>
            {
                ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
                ds.SetString(Tag.SeriesInstanceUID, VR.UI, Samples.NewUid());
            }).Path;
            async Task<string> StoreScu(string aet, string file)
            {
                using var p = ChildProcess.Start(Tool.Require("storescu"),
                    ["-v", "-aet", aet, "-aec", "REMOTEDX", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file]);
                await p.WaitAsync(TimeSpan.FromSeconds(60));
                return p.Output;
            }

            Assert.Contains("Store Response (Success)", await StoreScu("HILL_CT", Instance("ct")), StringComparison.Ordinal);
            Assert.Contains("Store Response (Success)", await StoreScu("HILL_DX", Instance("dx")), StringComparison.Ordinal);
            Assert.Contains("0x124", await StoreScu("DALE_CT", Instance("dale")), StringComparison.Ordinal);
            Assert.Equal(2, IndexDatabase.Count(serve.DatabasePath, "SELECT count(*) FROM instances WHERE study_instance_uid = $s", ("$s", study)));
            Assert.Equal(1, IndexDatabase.Count(serve.DatabasePath, "SELECT count(*) FROM study_owners WHERE study_instance_uid = $s AND clinic = 'Hill'", ("$s", study)));

            // The web scope follows the owner: a user of clinic Hill sees and opens the study HILL_CT sent; a user of the
            // unmapped DALE_CT (its clinic is its AE title) sees only DALE_CT's own study and gets 404 for Hill's.
            var daleStudy = Samples.NewUid();
            var daleFile = Samples.Copy(Tool.PydicomTestFile("CT_small.dcm"), Directory.CreateDirectory(Path.Combine(dir, "dale-own")).FullName, ds =>
            {
                ds.SetString(Tag.StudyInstanceUID, VR.UI, daleStudy);
                ds.SetString(Tag.SeriesInstanceUID, VR.UI, Samples.NewUid());
            }).Path;
            Assert.Contains("Store Response (Success)", await StoreScu("DALE_CT", daleFile), StringComparison.Ordinal);
            using var hill = await ApiClient.SignInAsync(serve.BaseUrl, new TestUser("hill", Password, "clinic", "Hill"));
            using var dale = await ApiClient.SignInAsync(serve.BaseUrl, new TestUser("dale", Password, "clinic", "DALE_CT"));
            var hillItems = (await hill.GetJsonAsync("api/worklist")).GetProperty("items").EnumerateArray().ToList();
            var hillItem = Assert.Single(hillItems);
            Assert.Equal(study, hillItem.GetProperty("studyInstanceUid").GetString());
            Assert.Equal("Hill", hillItem.GetProperty("clinic").GetString());
            Assert.Equal(study, (await hill.GetJsonAsync($"api/studies/{study}")).GetProperty("studyInstanceUid").GetString());
            await hill.GetJsonAsync($"api/studies/{daleStudy}", HttpStatusCode.NotFound);

            var daleItems = (await dale.GetJsonAsync("api/worklist")).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("studyInstanceUid").GetString()).ToList();
            Assert.Equal([daleStudy], daleItems);
            await dale.GetJsonAsync($"api/studies/{study}", HttpStatusCode.NotFound);
            Assert.Empty((await dale.GetJsonAsync("api/worklist?clinic=Hill")).GetProperty("items").EnumerateArray());
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }
}
