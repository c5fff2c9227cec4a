using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>DESIGN.md "Between clinics (ownership)" in process: the ingest service refuses another clinic's study or
/// instance with 0124 before the archive is touched.</summary>
public sealed class IngestOwnershipTests
{
    private static async Task<DimseStatus> SendAsAsync(IngestHarness h, string callingAe, DicomFile file)
    {
        await using var client = await h.ConnectAsync(callingAe);
        var status = await client.StoreAsync(file);
        await client.ReleaseAsync();
        return status;
    }

    [Fact]
    public async Task Another_clinics_replacement_is_refused_0124_and_the_owners_file_stays_byte_identical()
    {
        await using var h = await IngestHarness.StartAsync();
        var original = IngestHarness.Instance(fill: 7);
        Assert.Equal(0x0000, (await SendAsAsync(h, "CLINIC_A", original)).Code);
        var path = h.ArchivedPath(original);
        var before = await File.ReadAllBytesAsync(path);

        var forged = IngestHarness.Instance(original.Dataset.GetString(Tag.StudyInstanceUID), original.Dataset.GetString(Tag.SeriesInstanceUID), fill: 9);
        forged.Dataset.SetString(Tag.SOPInstanceUID, VR.UI, original.Dataset.GetString(Tag.SOPInstanceUID)!);
        forged.BuildFileMetaInformation();
        var refused = await SendAsAsync(h, "CLINIC_B", forged);

        Assert.Equal(0x0124, refused.Code);
        Assert.Equal("SOP instance belongs to another clinic", refused.ErrorComment);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.EnumerateFiles(h.Archive.TempDirectory));
        Assert.Single(await h.Store.UnfinishedJobsAsync());
    }

    [Fact]
    public async Task A_new_series_from_another_clinic_in_the_owners_study_is_refused_and_a_new_study_is_its_own()
    {
        await using var h = await IngestHarness.StartAsync();
        var original = IngestHarness.Instance();
        var study = original.Dataset.GetString(Tag.StudyInstanceUID)!;
        Assert.Equal(0x0000, (await SendAsAsync(h, "CLINIC_A", original)).Code);

        var joining = IngestHarness.Instance(study);
        Assert.Equal(0x0124, (await SendAsAsync(h, "CLINIC_B", joining)).Code);
        Assert.False(File.Exists(h.ArchivedPath(joining)));
        Assert.Equal(1, await h.Store.CountInstancesAsync());

        var own = IngestHarness.Instance();
        Assert.Equal(0x0000, (await SendAsAsync(h, "CLINIC_B", own)).Code);
        Assert.Equal("CLINIC_B", await h.Store.StudyOwnerAsync(own.Dataset.GetString(Tag.StudyInstanceUID)!));
        Assert.Equal("CLINIC_A", await h.Store.StudyOwnerAsync(study));
    }
}
