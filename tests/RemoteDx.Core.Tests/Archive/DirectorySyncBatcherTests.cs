using RemoteDx.Core.Archive;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Archive;

public sealed class DirectorySyncBatcherTests
{
    [Fact]
    public async Task Concurrent_requests_for_one_folder_all_complete_and_a_failing_sync_reaches_every_waiter()
    {
        var dir = TempDirectory.ForTestRun();
        try
        {
            var batcher = new DirectorySyncBatcher();
            var requests = Enumerable.Range(0, 64).Select(_ => Task.Run(() => batcher.SyncAsync(dir))).ToArray();
            await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30));

            // A folder that cannot be opened: every waiter gets the error, none hangs.
            var missing = Path.Combine(dir, "does-not-exist");
            var failing = Enumerable.Range(0, 16).Select(_ => Task.Run(() => batcher.SyncAsync(missing))).ToArray();
            foreach (var f in failing)
            {
                await Assert.ThrowsAsync<IOException>(() => f.WaitAsync(TimeSpan.FromSeconds(30)));
            }

            // And the batcher still works afterwards for that folder once it exists.
            Directory.CreateDirectory(missing);
            await batcher.SyncAsync(missing).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Every_request_is_covered_by_a_sync_through_the_seam_that_began_after_it()
    {
        var dir = TempDirectory.ForTestRun();
        try
        {
            var log = new EventLog();
            var sync = new RecordingFileSync(log) { DirectoryDelay = TimeSpan.FromMilliseconds(50) };
            var batcher = new DirectorySyncBatcher(sync);
            var requests = Enumerable.Range(0, 32).Select(_ => Task.Run(() => batcher.SyncAsync(dir))).ToArray();
            await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30));

            var syncs = log.Snapshot().Count(e => e.StartsWith($"sync-dir {dir} ", StringComparison.Ordinal));
            Assert.InRange(syncs, 1, 32);

            // A request made once the folder is idle gets a sync of its own, started after it.
            var before = log.Snapshot().Count;
            await batcher.SyncAsync(dir).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(log.Snapshot().Skip(before), e => e.StartsWith($"sync-dir {dir} ", StringComparison.Ordinal));

            sync.FailDirectory = _ => true;
            await Assert.ThrowsAsync<IOException>(() => batcher.SyncAsync(dir).WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
