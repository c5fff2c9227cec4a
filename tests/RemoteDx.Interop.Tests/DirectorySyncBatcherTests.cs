using RemoteDx.Core.Archive;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

public sealed class DirectorySyncBatcherTests
{
    [Fact]
    public async Task Concurrent_requests_for_one_folder_all_complete_and_a_failing_sync_reaches_every_waiter()
    {
        var dir = TempDirectory.ForTestRun("rdx-dirsync");
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
            TempDirectory.TryDelete(dir);
        }
    }
}
