using System.Globalization;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Store;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Ingest records as the listener would commit them, with fresh UIDs.</summary>
public static class StoreData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 20, 0, 0, TimeSpan.Zero);

    public static string NewUid() => RemoteDx.Testing.TestUids.New();

    public static IngestRecord Instance(string study, string? series = null, string? sop = null, string callingAe = "CLINIC_A",
        DateTimeOffset? at = null, ArchiveOutcome outcome = ArchiveOutcome.Stored, string path = "/nonexistent.dcm", string patientId = "P1")
    {
        var attributes = new InstanceAttributes(patientId, "DOE^JANE", "DX", "CHEST", "PA", "20261128", "CHEST PA", "Hill Clinic", 1, 2048, 2048, 1,
            "F", "054Y", "19700101", "A1", "MONOCHROME2", 2048, 4096, 1, "PA");
        var archive = new ArchiveResult(outcome, path, study, series ?? study + ".1", sop ?? NewUid(), "1.2.840.10008.5.1.4.1.1.1.1",
            "1.2.840.10008.1.2.1", 1000, attributes);
        return new IngestRecord(archive, callingAe, "assoc-1", at ?? DateTimeOffset.UtcNow);
    }
}
