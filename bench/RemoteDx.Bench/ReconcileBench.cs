using System.Diagnostics;
using System.Globalization;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;

namespace RemoteDx.Bench;

/// <summary>
/// remotedx-bench reconcile DATA_DIR
///
/// What one archive reconciliation pass costs on a real data folder (e.g. the soak's, serve stopped): the pass as issue
/// 14 first built it (one index lookup, <see cref="ITriageStore.InstanceAsync"/>, per archive file) against
/// <see cref="ArchiveReconciler.RunAsync"/> today (one query per study folder). Both walk the same folders; each is run
/// three times after one warm-up, the best is printed, with the index queries each made. With everything indexed the
/// reconciler changes nothing (minimum age 0: files being written would be considered, so run it on a stopped serve).
/// </summary>
public static class ReconcileBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: remotedx-bench reconcile DATA_DIR");
            return 2;
        }
        var data = Path.GetFullPath(args[0]);
        await using var store = new SqliteTriageStore(Path.Combine(data, "remotedx.db"));
        var archive = new DicomArchive(data, 0);
        var reconciler = new ArchiveReconciler(archive, store, TimeSpan.Zero);

        var (perFile, perFileQueries, files) = await BestAsync(async () =>
        {
            var queries = 0;
            var scanned = 0;
            foreach (var path in Directory.EnumerateFiles(archive.ArchiveRoot, "*.dcm", SearchOption.AllDirectories))
            {
                scanned++;
                _ = File.GetLastWriteTimeUtc(path);
                queries++;
                if (await store.InstanceAsync(Path.GetFileNameWithoutExtension(path), Scope.All).ConfigureAwait(false) is null)
                {
                    throw new InvalidOperationException($"{path} is not indexed: reconcile the folder first");
                }
            }
            return (queries, scanned);
        });
        var (perStudy, perStudyQueries, scannedNow) = await BestAsync(async () =>
        {
            var report = await reconciler.RunAsync().ConfigureAwait(false);
            if (report.Indexed + report.Quarantined > 0)
            {
                throw new InvalidOperationException("the reconciler changed the folder: rerun on the result");
            }
            return (report.IndexQueries, report.Scanned);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"files={files} studies={Directory.GetDirectories(archive.ArchiveRoot).Length} per_file: queries={perFileQueries} seconds={perFile:F2} | per_study: queries={perStudyQueries} seconds={perStudy:F2} (scanned {scannedNow})"));
        return 0;
    }

    private static async Task<(double Seconds, int Queries, int Files)> BestAsync(Func<Task<(int Queries, int Files)>> pass)
    {
        await pass().ConfigureAwait(false);
        var best = double.MaxValue;
        (int Queries, int Files) last = default;
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            last = await pass().ConfigureAwait(false);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return (best, last.Queries, last.Files);
    }
}
