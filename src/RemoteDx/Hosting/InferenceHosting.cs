using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Inference;

namespace RemoteDx.Hosting;

/// <summary>Wires the model registry into `remotedx serve`: options from "RemoteDx:Inference", the registry loaded
/// once at start-up (a bad model is logged and skipped), and IImageScorer for the scoring workers.</summary>
public static class InferenceHosting
{
    public static IServiceCollection AddRemoteDxInference(this IServiceCollection services, IConfiguration configuration)
    {
        var options = BindOptions(configuration);
        services.AddSingleton(options);
        services.AddSingleton(sp => ModelRegistry.Load(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteDx.Inference")));
        services.AddSingleton<IImageScorer>(sp => sp.GetRequiredService<ModelRegistry>());
        // Loads the models while the host starts rather than on the first image.
        services.AddHostedService<RegistryLoader>();
        return services;
    }

    public static InferenceOptions BindOptions(IConfiguration configuration)
    {
        var options = new InferenceOptions();
        configuration.GetSection(InferenceOptions.Section).Bind(options);
        options.ModelsDirectory = ResolveModelsDirectory(options.ModelsDirectory);
        return options;
    }

    /// <summary>A relative models folder is looked up in the working directory first, then next to the executable
    /// (where the bundled model is copied).</summary>
    public static string ResolveModelsDirectory(string configured)
    {
        if (Path.IsPathRooted(configured) || Directory.Exists(configured))
        {
            return Path.GetFullPath(configured);
        }
        var besideExe = Path.Combine(AppContext.BaseDirectory, configured);
        return Directory.Exists(besideExe) ? besideExe : Path.GetFullPath(configured);
    }

    private sealed class RegistryLoader(ModelRegistry registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = registry.Models.Count;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
