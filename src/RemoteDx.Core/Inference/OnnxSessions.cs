using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace RemoteDx.Core.Inference;

/// <summary>ONNX Runtime set-up shared by every model: the process-wide environment (its own log level, so ORT's
/// stderr chatter stays quiet) and session options with the configured execution provider.</summary>
public static partial class OnnxSessions
{
    private static readonly object Gate = new();
    private static bool _environmentReady;

    /// <summary>Creates ORT's environment once per process with <paramref name="logLevel"/>. Later calls keep the
    /// first level (ORT allows one environment).</summary>
    public static void EnsureEnvironment(string logLevel)
    {
        lock (Gate)
        {
            if (_environmentReady)
            {
                return;
            }
            var options = new EnvironmentCreationOptions { logId = "remotedx", logLevel = Level(logLevel) };
            try
            {
                OrtEnv.CreateInstanceWithOptions(ref options);
            }
            catch (OnnxRuntimeException)
            {
                // An environment already exists (someone used ORT first); it keeps its own level.
            }
            _environmentReady = true;
        }
    }

    /// <summary>Session options with the threads and provider of <paramref name="options"/>. <paramref name="provider"/>
    /// says what was appended: "cuda" or "cpu". With Provider=auto a CUDA provider that fails to load leaves the
    /// same options on CPU and reports why in <paramref name="fallbackReason"/>; with Provider=cuda it throws.</summary>
    public static SessionOptions CreateOptions(InferenceOptions options, out string provider, out string? fallbackReason)
    {
        EnsureEnvironment(options.RuntimeLogLevel);
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = Level(options.RuntimeLogLevel),
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            ExecutionMode = options.InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
        };
        if (!options.IntraOpSpinning)
        {
            so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            so.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        }
        provider = "cpu";
        fallbackReason = null;
        if (options.Provider == "cpu")
        {
            return so;
        }
        try
        {
            so.AppendExecutionProvider_CUDA(options.CudaDeviceId);
            provider = "cuda";
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            fallbackReason = DescribeCudaFailure(ProviderLoadError() ?? ex.Message);
            if (options.Provider == "cuda")
            {
                so.Dispose();
                throw new ModelLoadException("the CUDA execution provider did not load (Provider=cuda): " + fallbackReason, ex);
            }
        }
        return so;
    }

    /// <summary>ORT's exception only says the provider library failed to load; the dynamic loader knows which of
    /// its dependencies is missing, so ask it.</summary>
    private static string? ProviderLoadError()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "libonnxruntime_providers_cuda.so");
        if (!File.Exists(path))
        {
            return "libonnxruntime_providers_cuda.so: cannot open shared object file (not next to the executable)";
        }
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message;
        }
        catch (BadImageFormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The missing shared library when the message names one (libcublasLt.so.13, libcudart.so.13 ...),
    /// else the first line of the message.</summary>
    public static string DescribeCudaFailure(string message)
    {
        var m = MissingLibrary().Match(message);
        if (m.Success)
        {
            return $"{m.Groups[1].Value} is missing (install the CUDA 13 runtime and cuDNN 9, or set RemoteDx:Inference:Provider=cpu)";
        }
        var line = message.Split('\n')[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    private static OrtLoggingLevel Level(string level) => level switch
    {
        "verbose" => OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE,
        "info" => OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO,
        "warning" => OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        "fatal" => OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        _ => OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };

    [GeneratedRegex(@"(lib[A-Za-z0-9_+\-]+\.so(?:\.[0-9]+)*)\s*:\s*cannot open shared object file")]
    private static partial Regex MissingLibrary();
}
