using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>`AllowedCallingAEs` entries map AE titles to a clinic: the clinic owns the study, whichever of its AEs sent it.</summary>
public sealed class ClinicMappingTests
{
    [Fact]
    public async Task Two_AEs_mapped_to_one_clinic_share_its_studies_and_an_AE_of_another_clinic_is_refused()
    {
        var dir = TempDirectory.ForTestRun("clinic-map");
        try
        {
            await using var serve = await RemoteDxServe.StartAsync(Path.Combine(dir, "data"), new Dictionary<string, string>
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
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }
}
