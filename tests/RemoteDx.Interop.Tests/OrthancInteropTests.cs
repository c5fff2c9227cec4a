using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>RemoteDx serve and Orthanc, each a child process on loopback; Orthanc knows RemoteDx as modality "remotedx".</summary>
public sealed class OrthancPeers : IAsyncLifetime
{
    private readonly string _root = TempDirectory.ForTestRun("orthanc-interop");

    public RemoteDxServe RemoteDx { get; private set; } = null!;

    public OrthancPeer Orthanc { get; private set; } = null!;

    public string WorkDirectory => _root;

    public async Task InitializeAsync()
    {
        RemoteDx = await RemoteDxServe.StartAsync(Path.Combine(_root, "data"));
        Orthanc = await OrthancPeer.StartAsync(RemoteDx.DicomPort);
    }

    public async Task DisposeAsync()
    {
        if (Orthanc is not null)
        {
            await Orthanc.DisposeAsync();
        }
        if (RemoteDx is not null)
        {
            await RemoteDx.DisposeAsync();
        }
        TempDirectory.TryDelete(_root);
    }
}

public sealed class OrthancInteropTests(OrthancPeers peers) : IClassFixture<OrthancPeers>
{
    /// <summary>One file per transfer syntax family: explicit and implicit LE, RLE, JPEG baseline and extended, JPEG-LS,
    /// JPEG 2000 (lossless and lossy), and a non-image object with nested sequences.</summary>
    private static readonly string[] SentFiles =
    [
        "CT_small.dcm",
        "MR_small_implicit.dcm",
        "MR_small_RLE.dcm",
        "SC_rgb_rle.dcm",
        "SC_rgb_jpeg_dcmtk.dcm",
        "JPGExtended.dcm",
        "MR_small_jpeg_ls_lossless.dcm",
        "MR_small_jp2klossless.dcm",
        "JPEG2000.dcm",
        "rtplan.dcm",
    ];

    /// <summary>The subset RemoteDx accepts as an SCP (it only accepts what it can decode, and never transcodes), so
    /// Orthanc sends each as stored.</summary>
    private static readonly string[] ReceivedFiles =
    [
        "CT_small.dcm",
        "MR_small_implicit.dcm",
        "MR_small_RLE.dcm",
        "SC_rgb_rle.dcm",
        "MR_small_jpeg_ls_lossless.dcm",
        "MR_small_jp2klossless.dcm",
        "rtplan.dcm",
    ];

    /// <summary>The MR_small variants share one SOP Instance UID, and both peers keep one instance per UID: each test
    /// sends copies under fresh UIDs (re-written by RemoteDx.Dicom, so the copy is the reference).</summary>
    private List<string> Copies(string[] names)
    {
        var dir = Path.Combine(peers.WorkDirectory, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return names.Select(n =>
        {
            var (path, _) = Samples.Copy(Tool.PydicomTestFile(n), dir);
            var named = Path.Combine(dir, Path.GetFileNameWithoutExtension(n) + "-copy.dcm");
            File.Move(path, named);
            return named;
        }).ToList();
    }

    [Fact]
    public async Task Remotedx_send_delivers_every_transfer_syntax_to_Orthanc_unchanged()
    {
        var files = Copies(SentFiles);
        var result = await RemoteDxCli.SendAsync(peers.Orthanc.DicomPort, files, calledAe: OrthancPeer.AeTitle);
        Assert.True(result.ExitCode == 0, $"remotedx send exited {result.ExitCode}:\n{result.Output}");
        Assert.Equal(files.Count, result.Ok.Count);

        foreach (var file in files)
        {
            var sop = Samples.Uids(file).Sop;
            var id = await peers.Orthanc.FindInstanceAsync(sop);
            Assert.True(id is not null, $"Orthanc has no instance {sop} ({Path.GetFileName(file)})");
            var stored = await peers.Orthanc.GetFileAsync(id);
            DatasetComparer.AssertSameDataset(file, stored, "remotedx send → Orthanc");
        }
    }

    [Fact]
    public async Task Orthanc_C_STORE_to_RemoteDx_archives_each_dataset_unchanged()
    {
        var files = Copies(ReceivedFiles);
        var ids = new List<string>();
        foreach (var file in files)
        {
            ids.Add(await peers.Orthanc.UploadAsync(file));
        }

        var job = await peers.Orthanc.StoreToModalityAsync("remotedx", ids);
        Assert.True(job["FailedInstancesCount"]?.GetValue<int>() is null or 0, $"Orthanc reported failures: {job.ToJsonString()}");

        foreach (var file in files)
        {
            var archived = Samples.ArchivePath(peers.RemoteDx.ArchiveRoot, file);
            Assert.True(File.Exists(archived), $"{Path.GetFileName(file)} is not in RemoteDx's archive at {archived}\n{peers.RemoteDx.Output}");
            var archivedBytes = await File.ReadAllBytesAsync(archived);
            DatasetComparer.AssertSameDataset(file, archivedBytes, "Orthanc → RemoteDx archive");
            // And exactly what Orthanc sent: its stored copy, data set element for element.
            var orthancCopy = Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + "-orthanc.dcm");
            await File.WriteAllBytesAsync(orthancCopy, await peers.Orthanc.GetFileAsync(ids[files.IndexOf(file)]));
            DatasetComparer.AssertSameDataset(orthancCopy, archivedBytes, "Orthanc → RemoteDx archive (as Orthanc holds it)");
            var sop = Samples.Uids(file).Sop;
            Assert.True(IndexDatabase.Jobs(peers.RemoteDx.DatabasePath, sop) >= 1, $"no job for {sop}");
            // The archived file is a valid Part 10 file on its own.
            Assert.Equal(sop, DicomReader.ReadFile(archived).FileMetaInformation.GetString(Tag.MediaStorageSOPInstanceUID));
        }
    }
}
