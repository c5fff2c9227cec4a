using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Results.Delivery;
using RemoteDx.Core.Store;
using RemoteDx.Core.Tests.Store;
using RemoteDx.Dicom;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>The results writer in process on a real SQLite store and archive: the AI report and heatmap images once a
/// study is scored, a successor report (Predecessor Documents) when it is scored again, the verified report after review;
/// each archived in the layout, indexed with its deliveries, and dciodvfy-clean.</summary>
public sealed class ResultsWriterTests : IAsyncLifetime
{
    private readonly string _root = TempDirectory.ForTestRun("results-writer");
    private readonly string _sample = Path.Combine(Repo.Root, "sample-dicom", "clinic-a", "pneumothorax-pa.dcm");
    private SqliteTriageStore _store = null!;
    private DicomArchive _archive = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteTriageStore(Path.Combine(_root, "remotedx.db"), new TriageStoreOptions());
        await _store.MigrateAsync();
        _archive = new DicomArchive(Path.Combine(_root, "data"), reserveBytes: 0);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        TempDirectory.TryDelete(_root);
    }

    private ResultsWriter Writer() => new(_store, _archive,
        new ResultRouting([new ResultDestination("CLINIC_A", "PACS_A", "pacs", 104, false), new ResultDestination("CLINIC_B", "PACS_B", "pacs", 104, false)]),
        new QuietPeriod(TimeSpan.Zero), NullLogger.Instance);

    private async Task ScoreAsync(string study, string sop, float probability, ArchiveOutcome outcome)
    {
        var record = StoreData.Instance(study, series: study + ".1", sop: sop, path: _sample, outcome: outcome, at: DateTimeOffset.UtcNow.AddMinutes(-1));
        await _store.RecordInstanceAsync(record);
        var job = Assert.Single(await _store.ClaimJobsAsync("w", 1, TimeSpan.FromMinutes(5), 5));
        var score = FixedScorer.Score(FixedScorer.Model("cxr", ("pneumothorax", probability, probability >= 0.5f, true, 1f)));
        Assert.True(await _store.CompleteJobAsync(job, score, HeatmapImages.Render(score, 256, 256)));
    }

    private static Dataset Read(ResultObject r) => DicomFile.Open(r.Path).Dataset;

    [Fact]
    public async Task A_scored_study_gets_a_report_and_heatmap_a_rescore_a_successor_and_a_review_the_verified_report()
    {
        var source = DicomFile.Open(_sample).Dataset;
        var (study, sop) = (source.GetString(Tag.StudyInstanceUID)!, source.GetString(Tag.SOPInstanceUID)!);
        await ScoreAsync(study, sop, 0.9f, ArchiveOutcome.Stored);
        var writer = Writer();
        Assert.Equal(1, await writer.RunOnceAsync(default));
        Assert.Equal(0, await writer.RunOnceAsync(default));

        var results = (await _store.ResultContextAsync(study))!.Results;
        var report = Assert.Single(results, r => r.Kind == ResultKind.Report);
        var heatmap = Assert.Single(results, r => r.Kind == ResultKind.Heatmap);
        foreach (var r in results)
        {
            Assert.Equal(_archive.PathFor(study, r.SeriesInstanceUid, r.SopInstanceUid), r.Path);
            Dciodvfy.AssertValid(r.Path);
        }
        Assert.Equal(("SR", "UNVERIFIED"), (Read(report).GetString(Tag.Modality), Read(report).GetString(Tag.VerificationFlag)));
        Assert.Equal("OT", Read(heatmap).GetString(Tag.Modality));
        // Only the owning clinic's destination; the results are no received instances.
        var deliveries = await _store.DeliveriesAsync(study);
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal("PACS_A@pacs:104", d.Destination));
        Assert.Equal(1, await _store.CountInstancesAsync());

        // Scored again (different bytes re-sent): a new version of the report, pointing at the first.
        await ScoreAsync(study, sop, 0.2f, ArchiveOutcome.Replaced);
        Assert.Equal(1, await writer.RunOnceAsync(default));
        results = (await _store.ResultContextAsync(study))!.Results;
        var second = results.Where(r => r.Kind == ResultKind.Report).OrderBy(r => r.InstanceNumber).Last();
        Assert.Equal(2, second.InstanceNumber);
        Assert.Equal(report.SopInstanceUid, Predecessor(Read(second)));
        Dciodvfy.AssertValid(second.Path);

        await _store.MarkReviewedAsync(study, "dr_lee", Scope.All);
        Assert.Equal(1, await writer.RunOnceAsync(default));
        var verified = Assert.Single((await _store.ResultContextAsync(study))!.Results, r => r.Kind == ResultKind.VerifiedReport);
        var v = Read(verified);
        Assert.Equal(("VERIFIED", 3), (v.GetString(Tag.VerificationFlag), verified.InstanceNumber));
        Assert.Equal("dr_lee", Assert.Single(v.GetSequence(Tag.VerifyingObserverSequence)!.Items).GetString(Tag.VerifyingObserverName));
        Assert.Equal(second.SopInstanceUid, Predecessor(v));
        Dciodvfy.AssertValid(verified.Path);
        Assert.Equal(0, await writer.RunOnceAsync(default));
    }

    private static string? Predecessor(Dataset ds)
    {
        var study = Assert.Single(ds.GetSequence(Tag.PredecessorDocumentsSequence)!.Items);
        var series = Assert.Single(study.GetSequence(Tag.ReferencedSeriesSequence)!.Items);
        return Assert.Single(series.GetSequence(Tag.ReferencedSOPSequence)!.Items).GetString(Tag.ReferencedSOPInstanceUID);
    }
}
