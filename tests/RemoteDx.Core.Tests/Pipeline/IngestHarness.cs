using System.Globalization;
using System.Net;
using System.Numerics;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Core.Tests.Archive;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>The ingest use case in process: a real SQLite store and archive behind recording seams, served by a real
/// <see cref="DicomServer"/> on port 0 and reached with the project's own <see cref="DicomClient"/>.</summary>
public sealed class IngestHarness : IAsyncDisposable
{
    public const string DigitalXRay = "1.2.840.10008.5.1.4.1.1.1.1";
    public const string SecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";

    private IngestHarness(string root, SqliteTriageStore sqlite, long reserveBytes, ArchiveDurability durability, TimeSpan? deferredFlush)
    {
        Root = root;
        Sqlite = sqlite;
        Sync = new RecordingFileSync(Log);
        Store = new RecordingIngestStore(sqlite, Log);
        Archive = new DicomArchive(Path.Combine(root, "data"), reserveBytes, Sync);
        Signals = new CountingSignals();
        Ingest = new IngestService(Archive, Store, Signals, durability: durability, deferredFlush: deferredFlush);
        Server = new DicomServer(new DicomServerOptions { Port = 0, TlsPort = null, BindAddress = IPAddress.Loopback }, Ingest, Ingest);
    }

    public string Root { get; }

    public EventLog Log { get; } = new();

    public SqliteTriageStore Sqlite { get; }

    public RecordingFileSync Sync { get; }

    public RecordingIngestStore Store { get; }

    public DicomArchive Archive { get; }

    public CountingSignals Signals { get; }

    public IngestService Ingest { get; }

    public DicomServer Server { get; }

    public static async Task<IngestHarness> StartAsync(long reserveBytes = 0, ArchiveDurability durability = ArchiveDurability.Full,
        TimeSpan? deferredFlush = null)
    {
        var root = TempDirectory.ForTestRun();
        var sqlite = new SqliteTriageStore(Path.Combine(root, "remotedx.db"),
            new TriageStoreOptions { DeferredSync = durability == ArchiveDurability.Deferred });
        await sqlite.MigrateAsync();
        var harness = new IngestHarness(root, sqlite, reserveBytes, durability, deferredFlush);
        await harness.Server.StartAsync();
        return harness;
    }

    public async Task<DicomClient> ConnectAsync(string callingAe = "CLINIC_A", string sopClass = DigitalXRay) =>
        await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = Server.LocalEndPoint!.Port, CalledAE = "REMOTEDX", CallingAE = callingAe },
            [new PresentationContextProposal(sopClass, [TransferSyntax.ExplicitVRLittleEndian.Uid])]);

    /// <summary>Sends one instance on its own association and records the response in the log when it arrives.</summary>
    public async Task<DimseStatus> SendAsync(DicomFile file)
    {
        await using var client = await ConnectAsync(sopClass: file.Dataset.GetString(Tag.SOPClassUID)!);
        var status = await client.StoreAsync(file);
        Log.Add($"response {file.Dataset.GetString(Tag.SOPInstanceUID)} {status.Code:X4}");
        await client.ReleaseAsync();
        return status;
    }

    public string ArchivedPath(DicomFile file) => Archive.PathFor(file.Dataset.GetString(Tag.StudyInstanceUID)!,
        file.Dataset.GetString(Tag.SeriesInstanceUID)!, file.Dataset.GetString(Tag.SOPInstanceUID)!);

    public static string NewUid() =>
        "2.25." + new BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true).ToString(CultureInfo.InvariantCulture);

    /// <summary>A small 8-bit radiograph with fresh UIDs (or the given study and series).</summary>
    public static DicomFile Instance(string? study = null, string? series = null, string sopClass = DigitalXRay, byte fill = 7)
    {
        var ds = new Dataset();
        ds.SetString(Tag.SOPClassUID, VR.UI, sopClass);
        ds.SetString(Tag.SOPInstanceUID, VR.UI, NewUid());
        ds.SetString(Tag.StudyInstanceUID, VR.UI, study ?? NewUid());
        ds.SetString(Tag.SeriesInstanceUID, VR.UI, series ?? NewUid());
        ds.SetString(Tag.Modality, VR.CS, "DX");
        ds.SetString(Tag.PatientID, VR.LO, "P1");
        ds.SetUInt16(Tag.SamplesPerPixel, 1);
        ds.SetString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.SetUInt16(Tag.Rows, 4);
        ds.SetUInt16(Tag.Columns, 4);
        ds.SetUInt16(Tag.BitsAllocated, 8);
        ds.SetUInt16(Tag.BitsStored, 8);
        ds.SetUInt16(Tag.HighBit, 7);
        ds.SetUInt16(Tag.PixelRepresentation, 0);
        ds.SetBytes(Tag.PixelData, VR.OB, Enumerable.Repeat(fill, 16).ToArray());
        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation();
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Ingest.DisposeAsync();
        await Sqlite.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
