using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Inference;

/// <summary>A model that was refused at load, and why.</summary>
public sealed record RejectedModel(string Folder, string Reason);

/// <summary>Every model under the models folder, loaded, checked against its manifest and warmed up; routes each
/// image to the models that apply to it. A bad model is refused with its reason and the others carry on.</summary>
public sealed partial class ModelRegistry : IImageScorer, IAsyncDisposable
{
    private readonly ILogger _log;

    public IReadOnlyList<LoadedModel> Models { get; }

    public IReadOnlyList<RejectedModel> Rejected { get; }

    /// <summary>"cuda", "cpu", or "none" when no model loaded.</summary>
    public string Provider { get; }

    /// <summary>Why CUDA is not in use when it was asked for (auto), else null.</summary>
    public string? CudaFallbackReason { get; }

    private ModelRegistry(IReadOnlyList<LoadedModel> models, IReadOnlyList<RejectedModel> rejected, string provider, string? fallback, ILogger log)
    {
        Models = models;
        Rejected = rejected;
        Provider = provider;
        CudaFallbackReason = fallback;
        _log = log;
    }

    public static ModelRegistry Load(InferenceOptions options, ILogger? logger = null)
    {
        var log = logger ?? NullLogger.Instance;
        var models = new List<LoadedModel>();
        var rejected = new List<RejectedModel>();
        string? fallback = null;
        var root = options.ModelsDirectory;
        if (!Directory.Exists(root))
        {
            LogNoModelsFolder(log, Path.GetFullPath(root));
            return new ModelRegistry(models, rejected, "none", null, log);
        }
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            try
            {
                var model = LoadOne(folder, options, ref fallback, log);
                models.Add(model);
                LogLoaded(log, model.Name, model.Manifest.Version, model.Provider, model.Manifest.Labels.Count, model.MaxBatch);
            }
            catch (ModelLoadException ex)
            {
                rejected.Add(new RejectedModel(folder, ex.Message));
                LogRejected(log, Path.GetFileName(folder), ex.Message);
            }
        }
        var provider = models.Count == 0 ? "none" : models.Any(m => m.Provider == "cuda") ? "cuda" : "cpu";
        return new ModelRegistry(models, rejected, provider, fallback, log);
    }

    private static LoadedModel LoadOne(string folder, InferenceOptions options, ref string? fallback, ILogger log)
    {
        var name = Path.GetFileName(folder);
        var manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new ModelLoadException($"model '{name}': {manifestPath} is missing");
        }
        var manifest = ModelManifest.Parse(File.ReadAllText(manifestPath), $"model '{name}' manifest.json");
        if (manifest.Name != name)
        {
            throw new ModelLoadException($"model '{name}': manifest name '{manifest.Name}' differs from the folder name");
        }
        var onnxPath = Path.Combine(folder, manifest.File);
        if (!File.Exists(onnxPath))
        {
            throw new ModelLoadException($"model '{name}': {manifest.File} is missing");
        }
        var digest = Sha256Hex(onnxPath);
        if (!string.Equals(digest, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelLoadException($"model '{name}': sha256 of {manifest.File} is {digest}, the manifest says {manifest.Sha256}");
        }
        var so = OnnxSessions.CreateOptions(options, out var provider, out var reason);
        if (reason is not null && fallback is null)
        {
            fallback = reason;
            LogCudaFallback(log, reason);
        }
        InferenceSession session;
        try
        {
            using (so)
            {
                session = new InferenceSession(onnxPath, so);
            }
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"model '{name}': ONNX Runtime cannot load {manifest.File}: {FirstLine(ex.Message)}", ex);
        }
        try
        {
            var fixedBatch = CheckGraph(manifest, session, name);
            var model = new LoadedModel(manifest, session, provider, fixedBatch, options.QueueCapacity);
            if (options.WarmUp)
            {
                try
                {
                    model.WarmUp();
                }
                catch (Exception ex)
                {
                    model.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    throw new ModelLoadException($"model '{name}': warm-up run failed: {FirstLine(ex.Message)}", ex);
                }
            }
            return model;
        }
        catch (ModelLoadException)
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The manifest against the graph: names, ranks, dtypes, sizes, label count. Returns the fixed batch
    /// size when the graph has one.</summary>
    private static int? CheckGraph(ModelManifest m, InferenceSession session, string name)
    {
        if (!session.InputMetadata.TryGetValue(m.Input.Name, out var input))
        {
            throw new ModelLoadException($"model '{name}': the graph has no input '{m.Input.Name}' (it has {string.Join(", ", session.InputMetadata.Keys)})");
        }
        if (session.InputMetadata.Count != 1)
        {
            throw new ModelLoadException($"model '{name}': the graph has {session.InputMetadata.Count} inputs; one image input is supported");
        }
        var expectedType = m.Input.Dtype == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
        if (input.ElementDataType != expectedType)
        {
            throw new ModelLoadException($"model '{name}': input '{m.Input.Name}' is {input.ElementDataType}, the manifest says {m.Input.Dtype}");
        }
        var dims = input.Dimensions;
        if (dims.Length != 4)
        {
            throw new ModelLoadException($"model '{name}': input '{m.Input.Name}' has rank {dims.Length}, NCHW needs 4");
        }
        CheckDim(dims[1], m.Input.Channels, "channels");
        CheckDim(dims[2], m.Input.Height, "height");
        CheckDim(dims[3], m.Input.Width, "width");
        if (!session.OutputMetadata.TryGetValue(m.Outputs.Scores, out var scores))
        {
            throw new ModelLoadException($"model '{name}': the graph has no output '{m.Outputs.Scores}' (it has {string.Join(", ", session.OutputMetadata.Keys)})");
        }
        if (scores.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16))
        {
            throw new ModelLoadException($"model '{name}': output '{m.Outputs.Scores}' is {scores.ElementDataType}, not a float tensor");
        }
        if (scores.Dimensions.Length != 2)
        {
            throw new ModelLoadException($"model '{name}': output '{m.Outputs.Scores}' has rank {scores.Dimensions.Length}, [N, labels] needs 2");
        }
        if (scores.Dimensions[1] > 0 && scores.Dimensions[1] != m.Labels.Count)
        {
            throw new ModelLoadException($"model '{name}': output '{m.Outputs.Scores}' has {scores.Dimensions[1]} scores, the manifest lists {m.Labels.Count} labels");
        }
        if (m.Outputs.Heatmap is { } heat)
        {
            if (!session.OutputMetadata.TryGetValue(heat, out var hm))
            {
                throw new ModelLoadException($"model '{name}': the graph has no heatmap output '{heat}'");
            }
            if (hm.Dimensions.Length != 4 || (hm.Dimensions[1] > 0 && hm.Dimensions[1] != 1 && hm.Dimensions[1] != m.Labels.Count))
            {
                throw new ModelLoadException($"model '{name}': heatmap output '{heat}' must be [N, 1 or labels, h, w]");
            }
        }
        return dims[0] > 0 ? dims[0] : null;

        void CheckDim(int actual, int expected, string what)
        {
            if (actual > 0 && actual != expected)
            {
                throw new ModelLoadException($"model '{name}': input {what} is {actual} in the graph, {expected} in the manifest");
            }
        }
    }

    public async Task<ImageScore> ScoreAsync(DicomFile file, CancellationToken ct = default)
    {
        if (Models.Count == 0)
        {
            throw new InferenceUnavailableException(Rejected.Count == 0
                ? "no models are installed"
                : "no model could be loaded: " + string.Join("; ", Rejected.Select(r => r.Reason)));
        }
        var tasks = ModelRouter.Dispatch(Models, file, ct);
        return new ImageScore(tasks.Length == 0 ? [] : await Task.WhenAll(tasks).ConfigureAwait(false));
    }

    public LoadedModel? Find(string name) => Models.FirstOrDefault(m => m.Name == name);

    public static string Sha256Hex(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    public async ValueTask DisposeAsync()
    {
        foreach (var m in Models)
        {
            await m.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Model {Name} {Version} loaded on {Provider}: {Labels} labels, batches of up to {MaxBatch}")]
    private static partial void LogLoaded(ILogger log, string name, string version, string provider, int labels, int maxBatch);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Model {Folder} refused: {Reason}")]
    private static partial void LogRejected(ILogger log, string folder, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "CUDA unavailable, scoring on CPU: {Reason}")]
    private static partial void LogCudaFallback(ILogger log, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "No models folder at {Path}; nothing will be scored")]
    private static partial void LogNoModelsFolder(ILogger log, string path);
}
