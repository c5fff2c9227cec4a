namespace RemoteDx.Core.Inference;

/// <summary>The "RemoteDx:Inference" configuration section.</summary>
public sealed class InferenceOptions
{
    public const string Section = "RemoteDx:Inference";

    /// <summary>Folder with one sub-folder per model (manifest.json + model.onnx).</summary>
    public string ModelsDirectory { get; set; } = "models";

    /// <summary><c>auto</c> (CUDA when it loads, else CPU), <c>cuda</c> (CUDA or refuse the model), <c>cpu</c>.</summary>
    public string Provider { get; set; } = "auto";

    public int CudaDeviceId { get; set; }

    /// <summary>Threads ONNX Runtime uses inside one operator; 0 lets it choose (one per core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads across independent operators; 1 runs the graph sequentially, which suits small CNNs.</summary>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Whether ONNX Runtime's intra-op threads spin while waiting for work. Off by default: spinning buys
    /// microseconds per run but burns cores the decoders, preprocessing and the other models need.</summary>
    public bool IntraOpSpinning { get; set; }

    /// <summary>Images that may wait per model before callers are held back.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Run one batch through every model at load, so the first real image does not pay for it.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>ONNX Runtime's own stderr log level: verbose, info, warning, error, fatal. Fatal by default: ORT's
    /// errors reach RemoteDx as exceptions and are logged there once, with the model's name.</summary>
    public string RuntimeLogLevel { get; set; } = "fatal";

    public IEnumerable<string> Validate()
    {
        if (Provider is not ("auto" or "cuda" or "cpu"))
        {
            yield return $"{Section}:Provider '{Provider}' must be auto, cuda or cpu";
        }
        if (IntraOpThreads < 0 || InterOpThreads < 0)
        {
            yield return $"{Section}: thread counts must not be negative";
        }
        if (QueueCapacity < 1)
        {
            yield return $"{Section}:QueueCapacity must be at least 1";
        }
        if (RuntimeLogLevel is not ("verbose" or "info" or "warning" or "error" or "fatal"))
        {
            yield return $"{Section}:RuntimeLogLevel '{RuntimeLogLevel}' must be verbose, info, warning, error or fatal";
        }
    }
}
