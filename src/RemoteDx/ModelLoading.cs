using Microsoft.Extensions.Configuration;
using RemoteDx.Core.Inference;
using RemoteDx.Hosting;

namespace RemoteDx;

/// <summary>Loads the model registry for the offline commands as `serve` does: "RemoteDx:Inference" from
/// appsettings.json beside the executable and RemoteDx__Inference__* environment variables, the models folder
/// resolved the same way, then --models-dir and --provider on top.</summary>
internal static class ModelLoading
{
    public static InferenceOptions InferenceOptionsFrom(string? modelsDirectory, string? provider)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = InferenceHosting.BindOptions(configuration);
        if (modelsDirectory is { } dir)
        {
            options.ModelsDirectory = Path.GetFullPath(dir);
        }
        // The batch workers already keep every core busy decoding; ONNX Runtime's own pool on top (spinning while it
        // waits) only takes cycles from them. An explicit IntraOpThreads setting still wins.
        if (options.IntraOpThreads == 0)
        {
            options.IntraOpThreads = 1;
        }
        if (provider is not null)
        {
            options.Provider = provider;
        }
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new CommandUsageException(errors[0]);
        }
        return options;
    }

    /// <summary>The models to use: every loaded one, or those named in --models (comma-separated). Exit 1 (as an
    /// InvalidOperationException) when none can be used; a name that is not installed at all is a usage error.</summary>
    public static IReadOnlyList<LoadedModel> Select(ModelRegistry registry, string modelsDirectory, string? names)
    {
        var reasons = string.Join("; ", registry.Rejected.Select(r => r.Reason));
        if (registry.Models.Count == 0)
        {
            throw new InvalidOperationException(registry.Rejected.Count == 0
                ? $"no model could be loaded: no models in {modelsDirectory}"
                : "no model could be loaded: " + reasons);
        }
        if (string.IsNullOrWhiteSpace(names))
        {
            return registry.Models;
        }
        var chosen = new List<LoadedModel>();
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (registry.Find(name) is { } m)
            {
                chosen.Add(m);
            }
            else if (registry.Rejected.FirstOrDefault(r => Path.GetFileName(r.Folder) == name) is { } rejected)
            {
                throw new InvalidOperationException($"model '{name}' could not be loaded: {rejected.Reason}");
            }
            else
            {
                throw new CommandUsageException($"--models: no model '{name}' (installed: {string.Join(", ", registry.Models.Select(x => x.Name))})");
            }
        }
        return chosen;
    }
}
