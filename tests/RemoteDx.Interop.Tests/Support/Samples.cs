using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>Test instances derived from pydicom's sample files with RemoteDx.Dicom: new SOP Instance UIDs (so tests
/// never collide in a shared archive), optionally edited.</summary>
public static class Samples
{
    public static string NewUid() => RemoteDx.Testing.TestUids.New();

    /// <summary>Writes a copy of <paramref name="source"/> under a new SOP Instance UID; returns (path, uid).</summary>
    public static (string Path, string SopInstanceUid) Copy(string source, string directory, Action<Dataset>? edit = null, string? sopInstanceUid = null)
    {
        var file = DicomReader.ReadFile(source);
        var uid = sopInstanceUid ?? NewUid();
        file.Dataset.SetString(Tag.SOPInstanceUID, VR.UI, uid);
        edit?.Invoke(file.Dataset);
        file.BuildFileMetaInformation("RDXTEST");
        var path = System.IO.Path.Combine(directory, uid + ".dcm");
        file.Save(path);
        return (path, uid);
    }

    public static (string Study, string Series, string Sop) Uids(string path)
    {
        var ds = DicomReader.ReadFile(path, new DicomReadOptions { StopBeforePixelData = true }).Dataset;
        return (ds.GetString(Tag.StudyInstanceUID)!, ds.GetString(Tag.SeriesInstanceUID)!, ds.GetString(Tag.SOPInstanceUID)!);
    }

    /// <summary>Where RemoteDx archives an instance (DESIGN.md: archive/Study/Series/SOP.dcm).</summary>
    public static string ArchivePath(string archiveRoot, string path)
    {
        var (study, series, sop) = Uids(path);
        return System.IO.Path.Combine(archiveRoot, study, series, sop + ".dcm");
    }

    /// <summary>Sends CT_small as a new study (new Study and Series UIDs) with `remotedx send` from
    /// <paramref name="callingAe"/> to <paramref name="serve"/>; returns the study's and the instance's UIDs.</summary>
    public static async Task<(string Study, string Sop)> SendNewStudyAsync(RemoteDxServe serve, string folder, string callingAe)
    {
        var dir = Path.Combine(folder, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var study = NewUid();
        var (file, sop) = Copy(Tool.PydicomTestFile("CT_small.dcm"), dir, ds =>
        {
            ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
            ds.SetString(Tag.SeriesInstanceUID, VR.UI, NewUid());
        });
        using var p = ChildProcess.Start(RemoteDxCommand.Path, ["send", "127.0.0.1", serve.DicomPort.ToString(CultureInfo.InvariantCulture), file,
            "--aet", callingAe, "--called-aet", "REMOTEDX"]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"send exited {code}: {p.Output}");
        return (study, sop);
    }
}
