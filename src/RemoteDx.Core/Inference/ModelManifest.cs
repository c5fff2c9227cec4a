using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteDx.Core.Inference;

/// <summary>models/&lt;name&gt;/manifest.json, as docs/models.md describes it.</summary>
public sealed record ModelManifest
{
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string? Description { get; init; }
    public string File { get; init; } = "model.onnx";
    public string Sha256 { get; init; } = "";
    public ManifestInput Input { get; init; } = new();
    public ManifestOutputs Outputs { get; init; } = new();
    public ManifestPreprocessing Preprocessing { get; init; } = new();
    public IReadOnlyList<ManifestLabel> Labels { get; init; } = [];
    public ManifestApplicability AppliesTo { get; init; } = new();
    public ManifestBatching Batching { get; init; } = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Parses and checks the manifest on its own (the graph is checked when the session exists).</summary>
    public static ModelManifest Parse(string json, string source)
    {
        ModelManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<ModelManifest>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"{source}: not a valid manifest: {ex.Message}");
        }
        if (m is null)
        {
            throw new ModelLoadException($"{source}: empty manifest");
        }
        var errors = m.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ModelLoadException($"{source}: " + string.Join("; ", errors));
        }
        return m;
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            yield return "name is missing";
        }
        if (string.IsNullOrWhiteSpace(File) || File.Contains('/') || File.Contains('\\') || File.Contains(".."))
        {
            yield return $"file '{File}' must be a file name inside the model folder";
        }
        if (Sha256.Length != 64 || !Sha256.All(Uri.IsHexDigit))
        {
            yield return "sha256 must be 64 hex digits";
        }
        if (string.IsNullOrWhiteSpace(Input.Name))
        {
            yield return "input.name is missing";
        }
        if (Input.Dtype is not ("float32" or "float16"))
        {
            yield return $"input.dtype '{Input.Dtype}' must be float32 or float16";
        }
        if (Input.Channels is not (1 or 3))
        {
            yield return $"input.channels {Input.Channels} must be 1 or 3";
        }
        if (Input.Height is < 8 or > 4096 || Input.Width is < 8 or > 4096)
        {
            yield return $"input size {Input.Height}x{Input.Width} must be within 8..4096";
        }
        if (string.IsNullOrWhiteSpace(Outputs.Scores))
        {
            yield return "outputs.scores is missing";
        }
        if (Outputs.Activation is not ("sigmoid" or "softmax" or "none"))
        {
            yield return $"outputs.activation '{Outputs.Activation}' must be sigmoid, softmax or none";
        }
        var intensity = Preprocessing.Intensity;
        if (intensity.Mode is not ("window" or "percentile" or "minmax"))
        {
            yield return $"preprocessing.intensity.mode '{intensity.Mode}' must be window, percentile or minmax";
        }
        if (intensity.Low is < 0 or > 100 || intensity.High is < 0 or > 100 || intensity.Low >= intensity.High)
        {
            yield return "preprocessing.intensity low/high must be percentiles with low < high";
        }
        if (intensity.Width is <= 0)
        {
            yield return "preprocessing.intensity.width must be positive";
        }
        if (Preprocessing.Resize.Mode is not ("letterbox" or "stretch"))
        {
            yield return $"preprocessing.resize.mode '{Preprocessing.Resize.Mode}' must be letterbox or stretch";
        }
        if (Preprocessing.Resize.Interpolation is not ("area" or "bilinear"))
        {
            yield return $"preprocessing.resize.interpolation '{Preprocessing.Resize.Interpolation}' must be area or bilinear";
        }
        if (!(Preprocessing.Normalize.Std > 0) || !double.IsFinite(Preprocessing.Normalize.Mean))
        {
            yield return "preprocessing.normalize.std must be positive and mean finite";
        }
        if (Labels.Count == 0)
        {
            yield return "labels is empty";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in Labels)
        {
            if (string.IsNullOrWhiteSpace(l.Name) || !seen.Add(l.Name))
            {
                yield return $"label '{l.Name}' is empty or repeated";
            }
            if (l.Threshold is < 0 or > 1 || l.Urgency is < 0 or > 1)
            {
                yield return $"label '{l.Name}': threshold and urgency must be within 0..1";
            }
            if (l.Code is { } code && code.Validate() is { } codeError)
            {
                yield return $"label '{l.Name}': code {codeError}";
            }
        }
        if (Batching.MaxBatch is < 1 or > 1024 || Batching.MaxWaitMs is < 0 or > 10_000)
        {
            yield return "batching.maxBatch must be 1..1024 and maxWaitMs 0..10000";
        }
    }
}

public sealed record ManifestInput
{
    public string Name { get; init; } = "";
    public string Dtype { get; init; } = "float32";
    public int Channels { get; init; } = 1;
    public int Height { get; init; }
    public int Width { get; init; }
}

public sealed record ManifestOutputs
{
    public string Scores { get; init; } = "";
    public string Activation { get; init; } = "sigmoid";
    public string? Heatmap { get; init; }
}

public sealed record ManifestPreprocessing
{
    public ManifestIntensity Intensity { get; init; } = new();
    public bool InvertMonochrome1 { get; init; } = true;
    public ManifestResize Resize { get; init; } = new();
    public ManifestNormalize Normalize { get; init; } = new();
}

public sealed record ManifestIntensity
{
    public string Mode { get; init; } = "percentile";
    public double Low { get; init; } = 0.5;
    public double High { get; init; } = 99.5;
    public double? Center { get; init; }
    public double? Width { get; init; }
}

public sealed record ManifestResize
{
    public string Mode { get; init; } = "letterbox";
    public string Interpolation { get; init; } = "area";
}

public sealed record ManifestNormalize
{
    public double Mean { get; init; }
    public double Std { get; init; } = 1;
}

public sealed record ManifestLabel
{
    public string Name { get; init; } = "";
    public double Threshold { get; init; } = 0.5;
    public double Urgency { get; init; } = 0.5;
    public bool Critical { get; init; }

    /// <summary>The standard concept the label means (SNOMED CT, RadLex, ...), written into DICOM SR results; optional,
    /// a label without one is coded with the private 99RDX scheme (docs/models.md).</summary>
    public ManifestCode? Code { get; init; }
}

/// <summary>A coded concept as DICOM writes it (PS3.3 Table 8.8-1): Coding Scheme Designator, Code Value, Code Meaning.</summary>
public sealed record ManifestCode
{
    public string Scheme { get; init; } = "";
    public string Value { get; init; } = "";
    public string Meaning { get; init; } = "";

    /// <summary>Null when usable in a Code Sequence item: scheme and value fit SH (16 characters), meaning fits LO (64),
    /// none empty and none with a backslash or control character.</summary>
    public string? Validate()
    {
        static bool Fits(string s, int max) => s.Trim().Length > 0 && s.Length <= max && !s.Any(c => c == '\\' || char.IsControl(c));
        if (!Fits(Scheme, 16) || !Fits(Value, 16) || !Fits(Meaning, 64))
        {
            return "needs scheme and value (1..16 characters) and meaning (1..64 characters), without backslashes";
        }
        return null;
    }
}

public sealed record ManifestApplicability
{
    public IReadOnlyList<string> Modalities { get; init; } = [];
    public IReadOnlyList<string> BodyParts { get; init; } = [];
    public IReadOnlyList<string> ViewPositions { get; init; } = [];
    public IReadOnlyList<string> SopClasses { get; init; } = [];
    public int MinRows { get; init; }
    public int MinColumns { get; init; }
}

public sealed record ManifestBatching
{
    public int MaxBatch { get; init; } = 16;
    public int MaxWaitMs { get; init; } = 5;
}

/// <summary>A model that cannot be used: bad manifest, checksum, graph, or runtime.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
