using System.IO.Compression;
using System.Threading.Channels;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Core.Batch;

/// <summary>Scores many files with the loaded models as a pipeline of three stages joined by bounded channels:
/// one reader lists the inputs (and inflates zip entries, since a zip archive is read by one thread), N workers parse,
/// decode and preprocess and hand each image to the models' dynamic batching without waiting for its result, and one
/// collector awaits the results in hand-off order and writes them. Workers keep going while a batch runs, so the
/// models' queues stay full; the bounded channels keep memory flat however many files there are.</summary>
public sealed class BatchScorer
{
    private static readonly DicomReadOptions ReadOptions = new() { LazyPixelData = true };

    /// <summary>Largest zip entry inflated into memory.</summary>
    public const long MaxEntryBytes = 1L << 30;

    private readonly IReadOnlyList<LoadedModel> _models;
    private readonly int _workers;
    private readonly int _inFlight;

    public BatchScorer(IReadOnlyList<LoadedModel> models, int workers = 0)
    {
        if (models.Count == 0)
        {
            throw new ArgumentException("no models to score with", nameof(models));
        }
        _models = models;
        _workers = workers > 0 ? workers : Environment.ProcessorCount;
        // Enough images handed off to fill two batches of every model while the workers prepare the next ones.
        _inFlight = 2 * models.Max(m => m.MaxBatch) + 2 * _workers;
    }

    public int Workers => _workers;

    /// <summary>Scores every input; <paramref name="write"/> is called once per input, from one thread at a time, as
    /// results come in. Errors of single files become <see cref="BatchStatus.Error"/> results; only cancellation or
    /// an exception thrown by <paramref name="write"/> ends the run early.</summary>
    public async Task RunAsync(IEnumerable<BatchInput> inputs, Action<BatchResult> write, BatchProgress? progress = null,
        CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = cts.Token;
        var work = Channel.CreateBounded<Loaded>(new BoundedChannelOptions(2 * _workers) { SingleWriter = true });
        var pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_inFlight) { SingleReader = true });

        var reader = Task.Run(() => ReadAsync(inputs, work.Writer, token), token);
        var workers = new Task[_workers];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(work.Reader, pending.Writer, token), token);
        }
        var allWorkers = Task.WhenAll(workers).ContinueWith(t => pending.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        try
        {
            await foreach (var p in pending.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                var result = await CompleteAsync(p).ConfigureAwait(false);
                write(result);
                progress?.Record(result.Status);
            }
            await reader.ConfigureAwait(false);
            await allWorkers.ConfigureAwait(false);
        }
        catch
        {
            // Stop the other stages and let them unwind before the caller disposes the models.
            await cts.CancelAsync().ConfigureAwait(false);
            work.Writer.TryComplete();
            try
            {
                await Task.WhenAll(reader, allWorkers).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            throw;
        }
    }

    private static async Task ReadAsync(IEnumerable<BatchInput> inputs, ChannelWriter<Loaded> work, CancellationToken ct)
    {
        ZipArchive? zip = null;
        string? zipPath = null;
        try
        {
            foreach (var input in inputs)
            {
                ct.ThrowIfCancellationRequested();
                var loaded = new Loaded(input);
                if (input.Problem is not null)
                {
                    loaded.Error = input.Problem;
                }
                else if (input.IsArchiveEntry)
                {
                    try
                    {
                        if (zipPath != input.Archive)
                        {
                            zip?.Dispose();
                            zip = null;
                            zipPath = input.Archive;
                            zip = ZipFile.OpenRead(input.Archive!);
                        }
                        loaded.Bytes = Inflate(zip!.Entries[input.EntryIndex]);
                    }
                    catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException
                        or NotSupportedException or ArgumentOutOfRangeException or DicomLimitException)
                    {
                        loaded.Error = "cannot read zip entry: " + OneLine(ex.Message);
                    }
                }
                await work.WriteAsync(loaded, ct).ConfigureAwait(false);
            }
            work.TryComplete();
        }
        catch (Exception ex)
        {
            work.TryComplete(ex);
            throw;
        }
        finally
        {
            zip?.Dispose();
        }
    }

    private static byte[] Inflate(ZipArchiveEntry entry)
    {
        if (entry.Length > MaxEntryBytes)
        {
            throw new DicomLimitException($"entry of {entry.Length} bytes is over the {MaxEntryBytes}-byte limit");
        }
        using var s = entry.Open();
        var buffer = new byte[entry.Length];
        s.ReadExactly(buffer);
        return buffer;
    }

    private async Task WorkAsync(ChannelReader<Loaded> work, ChannelWriter<Pending> pending, CancellationToken ct)
    {
        await foreach (var item in work.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await pending.WriteAsync(Prepare(item, ct), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Parses, routes, decodes and preprocesses one file on this worker, and queues it to every model that
    /// applies. The decoded image is released as soon as every model has its own preprocessed copy.</summary>
    private Pending Prepare(Loaded item, CancellationToken ct)
    {
        var path = item.Input.Path;
        if (item.Error is not null)
        {
            return new Pending(path, null, null, null, item.Error);
        }
        string? sop = null, study = null;
        try
        {
            var started = StageTimings.Start();
            var file = item.Bytes is { } bytes
                ? DicomReader.Read(new MemoryStream(bytes, writable: false), ReadOptions)
                : DicomReader.ReadFile(path, ReadOptions);
            item.Bytes = null;
            StageTimings.Add(StageTimings.Stage.Parse, started);
            sop = file.Dataset.GetString(Tag.SOPInstanceUID);
            study = file.Dataset.GetString(Tag.StudyInstanceUID);
            var tasks = ModelRouter.Dispatch(_models, file, ct);
            return new Pending(path, sop, study, tasks, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new Pending(path, sop, study, null, Describe(ex));
        }
    }

    private static async Task<BatchResult> CompleteAsync(Pending p)
    {
        if (p.Error is not null)
        {
            return new BatchResult(p.Path, BatchStatus.Error, [], p.Sop, p.Study, p.Error);
        }
        if (p.Tasks!.Length == 0)
        {
            return new BatchResult(p.Path, BatchStatus.NotApplicable, [], p.Sop, p.Study);
        }
        try
        {
            var scores = await Task.WhenAll(p.Tasks).ConfigureAwait(false);
            return new BatchResult(p.Path, BatchStatus.Scored, scores, p.Sop, p.Study);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new BatchResult(p.Path, BatchStatus.Error, [], p.Sop, p.Study, Describe(ex));
        }
    }

    /// <summary>One line: DICOM errors carry the tag or offset in their message; anything else (a bug of ours on odd
    /// input) is named by its type so it can be reported.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        DicomException or IOException or UnauthorizedAccessException or InvalidDataException or ModelInferenceException
            or NotSupportedException or FormatException => OneLine(ex.Message),
        _ => $"{ex.GetType().Name}: {OneLine(ex.Message)}",
    };

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    private sealed class Loaded(BatchInput input)
    {
        public BatchInput Input { get; } = input;
        public byte[]? Bytes { get; set; }
        public string? Error { get; set; }
    }

    private sealed record Pending(string Path, string? Sop, string? Study, Task<ModelScore>[]? Tasks, string? Error);
}
