// Group commit of directory fsyncs (the durability rule's last sync, shared by concurrent acknowledgements)
using System.Collections.Concurrent;

namespace RemoteDx.Core.Archive;

/// <summary>Group commit for directory fsyncs: instances renamed into the same folder at about the same time share
/// one fsync. Each request joins the batch that the next fsync will cover; a batch is closed before its fsync starts,
/// so every request (made after its rename) is covered by an fsync that began after it.</summary>
public sealed class DirectorySyncBatcher(IFileSync? sync = null)
{
    private readonly ConcurrentDictionary<string, Folder> _folders = new(StringComparer.Ordinal);
    private readonly IFileSync _sync = sync ?? OsFileSync.Instance;

    public Task SyncAsync(string directory)
    {
        while (true)
        {
            var folder = _folders.GetOrAdd(directory, d => new Folder(d, this));
            if (folder.TryRequest(out var task))
            {
                return task;
            }
            // That folder went idle and left the map between the lookup and the request: take a fresh one.
        }
    }

    private sealed class Folder(string path, DirectorySyncBatcher owner)
    {
        private readonly object _gate = new();
        private bool _running;
        private bool _retired;
        private TaskCompletionSource? _batch;

        public bool TryRequest(out Task task)
        {
            lock (_gate)
            {
                if (_retired)
                {
                    task = Task.CompletedTask;
                    return false;
                }
                _batch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                task = _batch.Task;
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(Loop);
                }
                return true;
            }
        }

        private void Loop()
        {
            while (true)
            {
                TaskCompletionSource batch;
                lock (_gate)
                {
                    if (_batch is null)
                    {
                        // Idle: leave the map so folders of finished series do not accumulate.
                        _running = false;
                        _retired = true;
                        owner._folders.TryRemove(new KeyValuePair<string, Folder>(path, this));
                        return;
                    }
                    batch = _batch;
                    _batch = null;
                }
                try
                {
                    owner._sync.SyncDirectory(path);
                    batch.TrySetResult();
                }
                catch (Exception ex)
                {
                    // Every waiter must hear about it; none may hang on a batch that will never complete.
                    batch.TrySetException(ex);
                }
            }
        }
    }
}
