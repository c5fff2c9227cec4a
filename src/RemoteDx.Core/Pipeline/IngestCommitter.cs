// DESIGN.md "Durability rule" and "Durability modes": group commit of the syncs behind every 0000
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Store;

namespace RemoteDx.Core.Pipeline;

/// <summary>Keeps inspected instances in the archive and commits their index rows, sharing the syncs between every
/// association waiting at that moment (group commit, as databases do with their log).
/// <para><see cref="ArchiveDurability.Full"/>: the file is synced on the association's own thread (concurrent syncs
/// overlap in the file system's journal) and renamed; then one loop takes every instance ready at that moment, syncs
/// each folder touched once while their index rows go to the store together (one SQLite transaction), and releases all
/// of them: 0000 only when file, folder entry and index row survive a power loss.</para>
/// <para><see cref="ArchiveDurability.Deferred"/>: file renamed and index row committed without a sync (both in the
/// OS, so a crash of the process loses nothing); a flusher syncs files, then folders, then the index every
/// <see cref="DeferredFlush"/>, and no index row becomes durable before its file and folder entry.</para></summary>
public sealed partial class IngestCommitter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly DicomArchive _archive;
    private readonly IIngestStore _store;
    private readonly ILogger _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    // Deferred mode: what was acknowledged but not synced yet, and the gate that keeps a batch's index commit out of
    // the window between a flush's last file sync and its index sync.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _unsyncedLock = new();
    private HashSet<string> _unsyncedFiles = new(StringComparer.Ordinal);
    private HashSet<string> _unsyncedFolders = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public IngestCommitter(DicomArchive archive, IIngestStore store, ArchiveDurability durability = ArchiveDurability.Full,
        TimeSpan? deferredFlush = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(store);
        _archive = archive;
        _store = store;
        _log = logger ?? NullLogger.Instance;
        Durability = durability;
        DeferredFlush = deferredFlush ?? TimeSpan.FromMilliseconds(200);
        if (DeferredFlush <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(deferredFlush), "the deferred flush interval must be positive");
        }
        _loop = Task.Run(LoopAsync);
        if (durability == ArchiveDurability.Deferred)
        {
            new Thread(FlushLoop) { IsBackground = true, Name = "deferred-flush" }.Start();
        }
        else
        {
            _flushed.SetResult();
        }
    }

    public ArchiveDurability Durability { get; }

    /// <summary>Deferred mode: the longest an acknowledged instance waits for its syncs.</summary>
    public TimeSpan DeferredFlush { get; }

    /// <summary>Keeps <paramref name="received"/> (sync as the mode says, rename into place) and commits the index row
    /// <paramref name="record"/> makes of the result. Completes when the instance may be acknowledged; throws the
    /// sync's <see cref="IOException"/> or the store's fault otherwise.</summary>
    public async Task<ArchiveResult> KeepAsync(ReceivedInstance received, Func<ArchiveResult, IngestRecord> record)
    {
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(record);
        var result = _archive.Keep(received, syncDirectory: false, syncFile: Durability == ArchiveDurability.Full);
        var pending = new Pending(result, record(result), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(IngestCommitter));
        }
        await pending.Done.Task.ConfigureAwait(false);
        return result;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p))
            {
                batch.Add(p);
            }
            if (Durability == ArchiveDurability.Full)
            {
                await CommitDurablyAsync(batch).ConfigureAwait(false);
            }
            else
            {
                await CommitDeferredAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitDurablyAsync(List<Pending> batch)
    {
        // The index rows go first, so that the store's writer takes them as one transaction while the folders sync.
        var commits = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var r = batch[i].Record;
            commits[i] = StoreFaults.GuardAsync(() => _store.RecordInstanceAsync(r, CancellationToken.None));
        }
        // One sync per folder touched; each began after every rename of this batch (done before it was queued).
        var folders = new Dictionary<string, Exception?>(StringComparer.Ordinal);
        foreach (var p in batch)
        {
            var folder = Path.GetDirectoryName(p.Result.Path)!;
            if (folders.ContainsKey(folder))
            {
                continue;
            }
            try
            {
                _archive.FileSync.SyncDirectory(folder);
                folders[folder] = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                folders[folder] = ex;
            }
        }
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                await commits[i].ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                batch[i].Done.TrySetException(ex);
                continue;
            }
            if (folders[Path.GetDirectoryName(batch[i].Result.Path)!] is { } failed)
            {
                batch[i].Done.TrySetException(failed);
            }
            else
            {
                batch[i].Done.TrySetResult();
            }
        }
    }

    private async Task CommitDeferredAsync(List<Pending> batch)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_unsyncedLock)
            {
                foreach (var p in batch)
                {
                    _unsyncedFiles.Add(p.Result.Path);
                    _unsyncedFolders.Add(Path.GetDirectoryName(p.Result.Path)!);
                }
            }
            var commits = new Task[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                var r = batch[i].Record;
                commits[i] = StoreFaults.GuardAsync(() => _store.RecordInstanceAsync(r, CancellationToken.None));
            }
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    await commits[i].ConfigureAwait(false);
                    batch[i].Done.TrySetResult();
                }
                catch (Exception ex)
                {
                    batch[i].Done.TrySetException(ex);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The flusher's own thread: its syncs block for as long as the disk takes, which on the thread pool would
    /// starve the associations' continuations on a small machine.</summary>
    private void FlushLoop()
    {
        try
        {
            while (!_stop.Token.WaitHandle.WaitOne(DeferredFlush))
            {
                Flush();
            }
            // Shutting down: what was acknowledged is made durable before the process exits.
            Flush();
            _flushed.TrySetResult();
        }
        catch (Exception ex)
        {
            _flushed.TrySetException(ex);
        }
    }

    /// <summary>Deferred mode: makes everything acknowledged so far durable. Files and folders first (the bulk while
    /// batches go on committing), then, with commits held back, what arrived meanwhile and the index; so an index row is
    /// never durable before its file.</summary>
    private void Flush()
    {
        SyncUnsynced();
        _gate.Wait();
        try
        {
            SyncUnsynced();
            // The flusher's own thread may block on the store's task: no caller's context to deadlock on.
            _store.SyncAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFlushFailed("index", ex.GetType().Name, ex.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void SyncUnsynced()
    {
        HashSet<string> files, folders;
        lock (_unsyncedLock)
        {
            if (_unsyncedFiles.Count == 0 && _unsyncedFolders.Count == 0)
            {
                return;
            }
            (files, _unsyncedFiles) = (_unsyncedFiles, new HashSet<string>(StringComparer.Ordinal));
            (folders, _unsyncedFolders) = (_unsyncedFolders, new HashSet<string>(StringComparer.Ordinal));
        }
        foreach (var file in files)
        {
            try
            {
                _archive.FileSync.SyncFile(file);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Replaced or removed since (a replacement is synced before its rename).
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogFlushFailed("file", ex.GetType().Name, ex.Message);
            }
        }
        foreach (var folder in folders)
        {
            try
            {
                _archive.FileSync.SyncDirectory(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogFlushFailed("folder", ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>Finishes the instances queued, then (deferred mode) syncs everything on the flusher's thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _flushed.Task.ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed record Pending(ArchiveResult Result, IngestRecord Record, TaskCompletionSource Done);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Error, Message = "deferred durability: {What} sync failed, acknowledged data may not survive a power loss: {ErrorType}: {Error}")]
    private partial void LogFlushFailed(string what, string errorType, string error);
}
