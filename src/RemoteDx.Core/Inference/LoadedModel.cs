using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RemoteDx.Core.Inference;

/// <summary>One model in service: its manifest, its ONNX Runtime session (one, shared), its preprocessing, and the
/// dynamic batching loop that gathers images from every caller into one run (up to maxBatch images or maxWaitMs).</summary>
public sealed class LoadedModel : IAsyncDisposable
{
    private readonly InferenceSession _session;
    private readonly Channel<Request> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxBatch;
    private readonly int? _fixedBatch;
    private readonly TimeSpan _maxWait;
    private readonly float[] _batchInput;
    private readonly Float16[]? _batchInput16;
    private readonly string[] _outputNames;
    private readonly KeyValuePair<string, object?> _modelTag;

    public ModelManifest Manifest { get; }

    public ImagePreprocessor Preprocessor { get; }

    /// <summary>"cuda" or "cpu".</summary>
    public string Provider { get; }

    public string Name => Manifest.Name;

    /// <summary>Images waiting for a batch.</summary>
    public int QueueDepth => _queue.Reader.Count;

    public int MaxBatch => _maxBatch;

    internal LoadedModel(ModelManifest manifest, InferenceSession session, string provider, int? fixedBatch, int queueCapacity)
    {
        Manifest = manifest;
        _session = session;
        Provider = provider;
        Preprocessor = new ImagePreprocessor(manifest);
        _fixedBatch = fixedBatch;
        _maxBatch = fixedBatch ?? manifest.Batching.MaxBatch;
        _maxWait = TimeSpan.FromMilliseconds(manifest.Batching.MaxWaitMs);
        _batchInput = new float[_maxBatch * Preprocessor.InputLength];
        _batchInput16 = manifest.Input.Dtype == "float16" ? new Float16[_batchInput.Length] : null;
        _outputNames = manifest.Outputs.Heatmap is { } hm ? [manifest.Outputs.Scores, hm] : [manifest.Outputs.Scores];
        _modelTag = new KeyValuePair<string, object?>("model", manifest.Name);
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(Math.Max(queueCapacity, _maxBatch))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _loop = Task.Factory.StartNew(() => LoopAsync(_stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        InferenceMetrics.Track(this);
    }

    /// <summary>Preprocesses <paramref name="image"/> on the caller's thread, queues it (waiting while the queue is
    /// full: back-pressure), and returns this model's verdict once its batch has run.</summary>
    public async Task<ModelScore> ScoreAsync(ModalityImage image, CancellationToken ct = default)
    {
        var input = ArrayPool<float>.Shared.Rent(Preprocessor.InputLength);
        InputPlacement placement;
        try
        {
            placement = Preprocessor.Prepare(image, input.AsSpan(0, Preprocessor.InputLength));
        }
        catch
        {
            ArrayPool<float>.Shared.Return(input);
            throw;
        }
        return await EnqueueAsync(input, placement, ct).ConfigureAwait(false);
    }

    /// <summary>Scores an already prepared input (length <see cref="ImagePreprocessor.InputLength"/>); for the
    /// benchmark and for tests that feed exact tensors.</summary>
    public async Task<ModelScore> ScorePreparedAsync(ReadOnlyMemory<float> prepared, InputPlacement placement, CancellationToken ct = default)
    {
        var input = ArrayPool<float>.Shared.Rent(Preprocessor.InputLength);
        prepared.Span[..Preprocessor.InputLength].CopyTo(input);
        return await EnqueueAsync(input, placement, ct).ConfigureAwait(false);
    }

    /// <summary>Queues a pooled input (returned to the pool by the batch loop, or here when queueing fails) and waits
    /// for its batch.</summary>
    private async Task<ModelScore> EnqueueAsync(float[] input, InputPlacement placement, CancellationToken ct)
    {
        var request = new Request(input, placement);
        try
        {
            await _queue.Writer.WriteAsync(request, ct).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(input);
            throw;
        }
        return await request.Completion.Task.ConfigureAwait(false);
    }

    internal void WarmUp()
    {
        var zeros = new Request(ArrayPool<float>.Shared.Rent(Preprocessor.InputLength), new InputPlacement(0, 0, 1, 1));
        Array.Clear(zeros.Input);
        RunBatch([zeros]);
        zeros.Completion.Task.GetAwaiter().GetResult();
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var batch = new List<Request>(_maxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                if (!reader.TryRead(out var first))
                {
                    continue;
                }
                batch.Clear();
                batch.Add(first);
                if (_maxBatch > 1 && _maxWait > TimeSpan.Zero)
                {
                    await GatherAsync(reader, batch, stop).ConfigureAwait(false);
                }
                else
                {
                    while (batch.Count < _maxBatch && reader.TryRead(out var r))
                    {
                        batch.Add(r);
                    }
                }
                RunBatch(batch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        // Whatever is still queued at shutdown gets an answer rather than hanging its caller.
        while (reader.TryRead(out var left))
        {
            left.Completion.TrySetException(new ObjectDisposedException($"model {Name} is shutting down"));
            ArrayPool<float>.Shared.Return(left.Input);
        }
    }

    private async Task GatherAsync(ChannelReader<Request> reader, List<Request> batch, CancellationToken stop)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_maxWait.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _maxBatch)
        {
            if (reader.TryRead(out var r))
            {
                batch.Add(r);
                continue;
            }
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (Stopwatch.GetTimestamp() >= deadline || remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            wait.CancelAfter(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void RunBatch(List<Request> batch)
    {
        var len = Preprocessor.InputLength;
        var n = batch.Count;
        var runSize = _fixedBatch ?? n;
        var started = Stopwatch.GetTimestamp();
        var timed = StageTimings.Start();
        try
        {
            for (var i = 0; i < n; i++)
            {
                batch[i].Input.AsSpan(0, len).CopyTo(_batchInput.AsSpan(i * len, len));
            }
            if (runSize > n)
            {
                _batchInput.AsSpan(n * len, (runSize - n) * len).Clear();
            }
            var m = Manifest.Input;
            long[] shape = [runSize, m.Channels, m.Height, m.Width];
            OrtValue inputValue;
            if (_batchInput16 is { } half)
            {
                for (var i = 0; i < runSize * len; i++)
                {
                    half[i] = (Float16)_batchInput[i];
                }
                inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, half.AsMemory(0, runSize * len), shape);
            }
            else
            {
                inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _batchInput.AsMemory(0, runSize * len), shape);
            }
            using (inputValue)
            using (var runOptions = new RunOptions())
            using (var outputs = _session.Run(runOptions, [m.Name], [inputValue], _outputNames))
            {
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                InferenceMetrics.BatchDuration.Record(seconds, _modelTag);
                InferenceMetrics.BatchSize.Record(n, _modelTag);
                InferenceMetrics.Images.Add(n, _modelTag);
                var scores = ReadFloats(outputs[0], out var scoreShape);
                float[]? heat = null;
                long[]? heatShape = null;
                if (outputs.Count > 1)
                {
                    heat = ReadFloats(outputs[1], out heatShape);
                }
                for (var i = 0; i < n; i++)
                {
                    var result = Postprocess.Score(Manifest, scores, scoreShape, heat, heatShape, i, batch[i].Placement);
                    InferenceMetrics.ImageLatency.Record(Stopwatch.GetElapsedTime(batch[i].Queued).TotalSeconds, _modelTag);
                    batch[i].Completion.TrySetResult(result);
                }
            }
            StageTimings.Add(StageTimings.Stage.Inference, timed);
        }
        catch (Exception ex)
        {
            InferenceMetrics.Failures.Add(1, _modelTag);
            var error = new ModelInferenceException($"model {Name}: inference failed: {ex.Message}", ex);
            foreach (var r in batch)
            {
                r.Completion.TrySetException(error);
            }
        }
        finally
        {
            foreach (var r in batch)
            {
                ArrayPool<float>.Shared.Return(r.Input);
            }
        }
    }

    private static float[] ReadFloats(OrtValue value, out long[] shape)
    {
        var info = value.GetTensorTypeAndShape();
        shape = info.Shape;
        if (info.ElementDataType == TensorElementType.Float16)
        {
            var src = value.GetTensorDataAsSpan<Float16>();
            var dst = new float[src.Length];
            for (var i = 0; i < src.Length; i++)
            {
                dst[i] = (float)src[i];
            }
            return dst;
        }
        return value.GetTensorDataAsSpan<float>().ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        // The host's container may dispose the registry twice (it is registered as itself and as IImageScorer).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        InferenceMetrics.Untrack(this);
        // Completing the queue lets the loop finish what is already queued, then end.
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        _session.Dispose();
        _stop.Dispose();
    }

    private int _disposed;

    private sealed class Request(float[] input, InputPlacement placement)
    {
        public float[] Input { get; } = input;
        public InputPlacement Placement { get; } = placement;
        public long Queued { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<ModelScore> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A batched run failed; every image in the batch gets this.</summary>
public sealed class ModelInferenceException(string message, Exception inner) : Exception(message, inner);
