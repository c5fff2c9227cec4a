using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Api;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>`remotedx serve`: the DICOM listener, the scoring workers and the web server (API and viewer) in one process.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stderr, CancellationToken ct = default)
    {
        var app = Build(args, stderr);
        if (app is null)
        {
            return 2;
        }
        await app.RunAsync(ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Builds the host; null (with the reasons on stderr) when configuration is invalid.</summary>
    public static WebApplication? Build(string[] args, TextWriter stderr)
    {
        var switchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--dicom-port"] = "RemoteDx:Dicom:Port",
            ["--tls-port"] = "RemoteDx:Dicom:TlsPort",
            ["--aet"] = "RemoteDx:Dicom:AeTitle",
            ["--http-url"] = "RemoteDx:HttpUrl",
            ["--data"] = "RemoteDx:DataDirectory",
            ["--config"] = "RemoteDx:ConfigFile",
        };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        var pre = new ConfigurationBuilder().AddCommandLine(args, switchMappings).Build();
        if (pre["RemoteDx:ConfigFile"] is { Length: > 0 } configFile)
        {
            if (!File.Exists(configFile))
            {
                stderr.WriteLine($"remotedx: config file '{configFile}' not found");
                return null;
            }
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args, switchMappings);

        var options = new RemoteDxOptions();
        builder.Configuration.GetSection(RemoteDxOptions.Section).Bind(options);
        var errors = options.Validate().Concat(InferenceHosting.BindOptions(builder.Configuration).Validate()).ToList();
        if (errors.Count > 0)
        {
            stderr.WriteLine("remotedx: invalid configuration: " + string.Join("; ", errors));
            return null;
        }
        builder.WebHost.UseUrls(options.HttpUrl);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<ReadinessState>();
        builder.Services.AddSingleton<ITriageStore>(_ => TriageStoreFactory.Create(options.Database.Provider, options.Database.ConnectionString,
            Path.GetFullPath(options.DataDirectory), new TriageStoreOptions { QueueStatNotifications = !string.IsNullOrEmpty(options.Notifications.WebhookUrl) }));
        builder.Services.AddSingleton<IIngestStore>(sp => sp.GetRequiredService<ITriageStore>());
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<PipelineMetrics>();
        // Hosted services start in this order: the schema first, then the listener, then the workers.
        builder.Services.AddHostedService<StoreStartup>();
        builder.Services.AddSingleton<DicomListenerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DicomListenerService>());
        builder.Services.AddRemoteDxInference(builder.Configuration);
        builder.Services.AddSingleton<WorklistWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorklistWatcher>());
        builder.Services.AddHostedService<ScoringWorker>();
        builder.Services.AddHostedService<WebhookNotifier>();
        WebSetup.ConfigureServices(builder.Services);

        var app = builder.Build();
        WebSetup.Map(app);
        app.MapGet("/healthz", (ReadinessState ready) => ready.IsReady
            ? Results.Text("ok\n", "text/plain", statusCode: 200)
            : Results.Text("starting\n", "text/plain", statusCode: 503));
        return app;
    }
}

/// <summary>Set once the store is migrated and the listener bound.</summary>
public sealed class ReadinessState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
