using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RemoteDx.Api;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Store;

namespace RemoteDx.Hosting;

/// <summary>`remotedx serve`: the DICOM listener, the scoring workers and the web server (API and viewer) in one process.</summary>
public static class ServeCommand
{
    /// <summary>The options named here are checked and shown in --help; every other token (e.g.
    /// `--RemoteDx:Inference:Provider cpu`) goes on, with them, to the ASP.NET Core command-line configuration source,
    /// as before System.CommandLine parsed the line.</summary>
    public static Command Create(CommandIO io)
    {
        var config = new Option<string>("--config") { HelpName = "FILE", Description = "JSON configuration file, over appsettings.json and under the environment" };
        var dicomPort = Port("--dicom-port", "DICOM listener port (default 11112)");
        var tlsPort = Port("--tls-port", "DICOM TLS listener port (when a certificate is configured)");
        var aet = new Option<string>("--aet") { HelpName = "AE", Description = "AE title of the listener (default REMOTEDX)" };
        var httpUrl = new Option<string>("--http-url") { HelpName = "URL", Description = "web server address (default http://127.0.0.1:8080)" };
        var data = new Option<string>("--data") { HelpName = "DIR", Description = "data folder: archive, database (default ./data)" };
        var command = new Command("serve", "The DICOM listener, scoring workers and web server (API and viewer) in one process; " +
            "other --Section:Key value pairs set any configuration option (docs/configuration.md)")
        {
            config, dicomPort, tlsPort, aet, httpUrl, data,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((r, ct) =>
        {
            // Everything after "serve", in order: the named options and the configuration keys alike.
            var args = r.Tokens.Where(t => t.Type != TokenType.Directive).Skip(1).Select(t => t.Value).ToArray();
            return RunAsync(args, io.Stderr, ct);
        });
        return command;
    }

    private static Option<int> Port(string name, string description)
    {
        var option = new Option<int>(name) { HelpName = "N", Description = description };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, CultureInfo.InvariantCulture, out var p) && p is < 0 or > 65535)
            {
                r.AddError($"{name} must be 0-65535, not {p}");
            }
        });
        return option;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stderr, CancellationToken ct = default)
    {
        WebApplication? app;
        try
        {
            app = Build(args, stderr);
        }
        catch (FormatException ex)
        {
            // The configuration source refuses a token it cannot read as a key (e.g. an unknown "-x").
            throw new CommandUsageException(ex.Message);
        }
        if (app is null)
        {
            return Cli.UsageError;
        }
        await app.RunAsync(ct).ConfigureAwait(false);
        return Cli.Success;
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
        if (options.HttpUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPemFile(options.Web.TlsCertificate!, options.Web.TlsKey!);
            }
            catch (CryptographicException ex)
            {
                stderr.WriteLine($"remotedx: invalid configuration: RemoteDx:Web:TlsCertificate/TlsKey cannot be loaded: {ex.Message}");
                return null;
            }
            // The slim builder leaves Kestrel's https support out; without it an https URL fails at bind time.
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h => h.ServerCertificate = certificate));
        }
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
        builder.Services.AddSingleton<HealthState>();
        // SIGTERM drains (DicomListenerService.StopAsync): the host waits DrainSeconds for the listener, plus a margin
        // for the scoring workers to hand their jobs back and the store to close; all services stop at once.
        builder.Services.Configure<HostOptions>(h =>
        {
            h.ShutdownTimeout = TimeSpan.FromSeconds(options.Dicom.DrainSeconds + 10);
            h.ServicesStopConcurrently = true;
        });
        builder.Services.AddSingleton<ITriageStore>(_ => TriageStoreFactory.Create(options.Database.Provider, options.Database.ConnectionString,
            Path.GetFullPath(options.DataDirectory), new TriageStoreOptions
            {
                QueueStatNotifications = !string.IsNullOrEmpty(options.Notifications.WebhookUrl),
                DeferredSync = options.Archive.Mode == ArchiveDurability.Deferred,
            }));
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
        builder.Services.AddHostedService<ResultsService>();
        WebSetup.ConfigureServices(builder.Services);

        var app = builder.Build();
        WebSetup.Map(app);
        HealthEndpoints.Map(app);
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
