using Microsoft.Data.Sqlite;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>Issue 14 item 4: the archive and the index agree after a fault, and nothing half-written lingers.</summary>
public sealed class ArchiveReconcilerTests
{
    [Fact]
    public async Task An_archived_file_the_index_commit_missed_is_indexed_with_its_job_garbage_is_quarantined_and_stale_temp_files_go()
    {
        await using var h = await IngestHarness.StartAsync();
        // The index commit fails after the file was renamed into the archive: A700 to the sender, an orphan on disk.
        var orphan = IngestHarness.Instance();
        h.Store.CommitFailure = new SqliteException("full", 13);
        Assert.Equal(0xA700, (await h.SendAsync(orphan)).Code);
        h.Store.CommitFailure = null;
        var orphanPath = h.ArchivedPath(orphan);
        var orphanSop = orphan.Dataset.GetString(Tag.SOPInstanceUID)!;
        Assert.True(File.Exists(orphanPath));
        Assert.Null(await h.Sqlite.InstanceAsync(orphanSop, Scope.All));

        var garbage = h.Archive.PathFor("1.2.3", "1.2.3.4", "1.2.3.4.5");
        Directory.CreateDirectory(Path.GetDirectoryName(garbage)!);
        await File.WriteAllTextAsync(garbage, "not DICOM");
        var staleTemp = Path.Combine(h.Archive.TempDirectory, "rdx-gone-1-x.tmp");
        var liveTemp = Path.Combine(h.Archive.TempDirectory, "rdx-live-1-x.tmp");
        await File.WriteAllTextAsync(staleTemp, "partial");
        await File.WriteAllTextAsync(liveTemp, "partial");
        var old = DateTime.UtcNow.AddHours(-2);
        foreach (var p in new[] { orphanPath, garbage, staleTemp })
        {
            File.SetLastWriteTimeUtc(p, old);
        }

        var reconciler = new ArchiveReconciler(h.Archive, h.Sqlite, TimeSpan.FromMinutes(10));
        var report = await reconciler.RunAsync();

        Assert.Equal((1, 1, 1), (report.Indexed, report.Quarantined, report.TempRemoved));
        var indexed = await h.Sqlite.InstanceAsync(orphanSop, Scope.All);
        Assert.NotNull(indexed);
        Assert.Equal("CLINIC_A", indexed.CallingAE);
        Assert.Contains(await h.Sqlite.UnfinishedJobsAsync(), j => j.SopInstanceUid == orphanSop);
        Assert.False(File.Exists(garbage));
        var quarantined = Assert.Single(Directory.GetFiles(reconciler.QuarantineDirectory, "*.dcm"));
        Assert.StartsWith("1.2.3.4.5-", Path.GetFileName(quarantined), StringComparison.Ordinal);
        Assert.Contains("unreadable", await File.ReadAllTextAsync(Path.ChangeExtension(quarantined, ".reason")), StringComparison.Ordinal);
        Assert.False(File.Exists(staleTemp));
        Assert.True(File.Exists(liveTemp), "a temp file a live association may own was removed");

        // A second run finds nothing to do.
        var again = await reconciler.RunAsync();
        Assert.Equal((0, 0, 0), (again.Indexed, again.Quarantined, again.TempRemoved));
    }

    [Fact]
    public async Task A_file_younger_than_the_minimum_age_is_left_to_the_association_that_may_be_indexing_it()
    {
        await using var h = await IngestHarness.StartAsync();
        var orphan = IngestHarness.Instance();
        h.Store.CommitFailure = new SqliteException("full", 13);
        await h.SendAsync(orphan);
        h.Store.CommitFailure = null;
        var report = await new ArchiveReconciler(h.Archive, h.Sqlite, TimeSpan.FromMinutes(10)).RunAsync();
        Assert.Equal(0, report.Indexed);
        Assert.True(File.Exists(h.ArchivedPath(orphan)));
    }

    [Fact]
    public async Task A_pass_over_many_archived_files_asks_the_index_once_per_study_folder_not_once_per_file()
    {
        await using var h = await IngestHarness.StartAsync();
        var old = DateTime.UtcNow.AddHours(-2);
        var studies = new[] { IngestHarness.NewUid(), IngestHarness.NewUid(), IngestHarness.NewUid() };
        void Archive(string study)
        {
            // Written straight into the archive as a receiving association would (Source AE = the calling AE).
            var file = IngestHarness.Instance(study, study + ".1");
            file.BuildFileMetaInformation("CLINIC_A");
            var path = h.ArchivedPath(file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            file.Save(path);
            File.SetLastWriteTimeUtc(path, old);
        }
        foreach (var study in studies)
        {
            for (var i = 0; i < 100; i++)
            {
                Archive(study);
            }
        }
        var reconciler = new ArchiveReconciler(h.Archive, h.Sqlite, TimeSpan.FromMinutes(10));

        // None indexed yet: one query per study folder, then one per file its study's set lacks.
        var first = await reconciler.RunAsync();
        Assert.Equal((300, 300, 0), (first.Scanned, first.Indexed, first.Quarantined));
        Assert.Equal(3 + 300, first.IndexQueries);
        Assert.Equal(300L, await h.Sqlite.CountInstancesAsync());

        // All indexed: the whole pass is three queries.
        var second = await reconciler.RunAsync();
        Assert.Equal((300, 0, 0, 3), (second.Scanned, second.Indexed, second.Quarantined, second.IndexQueries));

        // Two new orphans in one study: three queries plus one lookup each, and both indexed.
        Archive(studies[1]);
        Archive(studies[1]);
        var third = await reconciler.RunAsync();
        Assert.Equal((302, 2, 3 + 2), (third.Scanned, third.Indexed, third.IndexQueries));
        Assert.Equal(302L, await h.Sqlite.CountInstancesAsync());
    }
}
