using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Relay;
using RemoteDx.Dicom.Codecs;
using RemoteDx.Dicom.Network;
using RemoteDx.Hosting;

namespace RemoteDx;

/// <summary>`remotedx relay`: at the clinic, a C-STORE SCP that answers 0000 once an instance is durable in the relay's
/// queue, and a forwarder that sends the queue to the hub (DESIGN.md "Relay"); `remotedx relay status` reads the
/// queue folder.</summary>
public static partial class RelayCommand
{
    public static Command Create(CommandIO io)
    {
        var config = new Option<string>("--config") { HelpName = "FILE", Description = "JSON configuration file (section RemoteDx:Relay), over appsettings.json and under the environment" };
        var data = new Option<string>("--data") { HelpName = "DIR", Description = "queue folder (default ./relay-data)" };
        var dicomPort = CliOptions.Int("--dicom-port", "port of the clinic-side DICOM listener (default 11112; 0 = any free port)", null, 0, 65535);
        var aet = new Option<string>("--aet") { HelpName = "CLINIC_AE", Description = "AE title of the listener, and the calling AE the hub sees" };
        var hub = new Option<string[]>("--hub") { HelpName = "HOST PORT", Description = "the hub's DICOM host and port", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var hubAet = new Option<string>("--hub-aet") { HelpName = "AE", Description = "the hub's AE title (default REMOTEDX)" };
        var tls = new Option<bool>("--tls") { Description = "DICOM over TLS to the hub" };
        var ca = new Option<string>("--ca") { HelpName = "FILE", Description = "PEM certificates to trust for the hub (with --tls)" };
        var cert = new Option<string>("--cert") { HelpName = "FILE", Description = "PEM client certificate, the clinic's identity at the hub (with --key)" };
        var key = new Option<string>("--key") { HelpName = "FILE", Description = "PEM private key of --cert" };
        var maxRate = CliOptions.Int("--max-rate", "cap on bytes sent to the hub, KiB per second (default: none)", null, 2);
        var compress = new Option<string>("--compress") { HelpName = "none|jpeg-ls|j2k", Description = "re-encode native pixel data losslessly before forwarding, where the hub accepts the syntax (default none)" };
        var command = new Command("relay", "Clinic-side store-and-forward: a DICOM listener with a durable queue, forwarded to the hub with backoff and resume; " +
            "an instance leaves the queue only after the hub's 0000")
        {
            config, data, dicomPort, aet, hub, hubAet, tls, ca, cert, key, maxRate, compress,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(cert) is null) != (r.GetResult(key) is null))
            {
                r.AddError("--cert and --key go together");
            }
            // Tokens, not GetValue: a --hub with one value is already a parse error, and GetValue would throw on it.
            if (r.GetResult(hub) is { Tokens: [_, var pt] } && pt.Value is var p
                && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
            {
                r.AddError($"--hub PORT must be 1-65535, not '{p}'");
            }
            if (r.GetResult(compress) is { Tokens: [.., var ct] } && ct.Value is var c && c is not ("none" or "jpeg-ls" or "j2k"))
            {
                r.AddError($"--compress must be none, jpeg-ls or j2k, not '{c}'");
            }
        });
        command.SetAction((r, ct) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            void Set(string key, string? value)
            {
                if (value is not null)
                {
                    overrides[RelayOptions.Section + ":" + key] = value;
                }
            }
            Set("DataDirectory", r.GetValue(data));
            Set("Dicom:Port", r.GetResult(dicomPort) is null ? null : r.GetValue(dicomPort).ToString(CultureInfo.InvariantCulture));
            Set("Dicom:AeTitle", r.GetValue(aet));
            if (r.GetValue(hub) is [var h, var p])
            {
                Set("Hub:Host", h);
                Set("Hub:Port", p);
            }
            Set("Hub:AeTitle", r.GetValue(hubAet));
            Set("Hub:Tls", r.GetValue(tls) ? "true" : null);
            Set("Hub:Ca", r.GetValue(ca));
            Set("Hub:Certificate", r.GetValue(cert));
            Set("Hub:Key", r.GetValue(key));
            Set("MaxRateKBytesPerSecond", r.GetResult(maxRate) is null ? null : r.GetValue(maxRate).ToString(CultureInfo.InvariantCulture));
            Set("Compress", r.GetValue(compress));
            return RunAsync(r.GetValue(config), overrides, ct);
        });
        command.Subcommands.Add(StatusCommand(io));
        return command;
    }

    private static Command StatusCommand(CommandIO io)
    {
        var data = new Option<string>("--data") { HelpName = "DIR", Description = "the relay's queue folder", Required = true };
        var command = new Command("status", "Queued, in flight, sent and failed instances of a relay, with the last error") { data };
        command.SetAction(r =>
        {
            var s = RelayStatus.Read(r.GetRequiredValue(data));
            var o = io.Stdout;
            o.WriteLine($"queued: {s.Queued}");
            o.WriteLine($"in flight: {s.InFlight}");
            o.WriteLine($"sent: {s.Sent}");
            o.WriteLine($"failed: {s.Failed}");
            o.WriteLine(s.LastError is null ? "last error: none" : $"last error: {s.LastErrorAt:u} {s.LastError}");
            foreach (var f in s.FailedInstances)
            {
                o.WriteLine($"failed {f.File}: {(f.Status is null ? "" : "status " + f.Status + " ")}{f.Reason}");
            }
            return Cli.Success;
        });
        return command;
    }

    private static async Task<int> RunAsync(string? configFile, Dictionary<string, string?> overrides, CancellationToken ct)
    {
        var builder = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"config file '{configFile}' not found");
            }
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        var configuration = builder.AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();
        var options = new RelayOptions();
        configuration.GetSection(RelayOptions.Section).Bind(options);
        var errors = options.Validate().ToList();
        if (options.CompressSyntax is { } target
            && CodecRegistry.SelfTest().FirstOrDefault(c => c.Syntax.Uid == target.Uid) is { Available: false } codec)
        {
            errors.Add($"--compress {options.Compress}: {codec.Error}");
        }
        if (errors.Count > 0)
        {
            throw new CommandUsageException("invalid configuration: " + string.Join("; ", errors));
        }

        using var loggers = LoggerFactory.Create(b =>
        {
            b.AddConfiguration(configuration.GetSection("Logging"));
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        });
        var log = loggers.CreateLogger("RemoteDx.Relay");
        var d = options.Dicom;
        var drainFor = TimeSpan.FromSeconds(d.DrainSeconds);
        // DESIGN.md "Durability modes", as for serve: the first SIGTERM (or Ctrl+C) drains, the second one or the
        // DrainSeconds deadline aborts what is left. Never the default action (kill), so the exit code stays 0.
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var abort = new CancellationTokenSource();
        var signals = 0;
        void OnStopSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                LogDraining(log, c.Signal.ToString(), drainFor.TotalSeconds);
                abort.CancelAfter(drainFor);
                drain.Cancel();
            }
            else
            {
                LogSecondSignal(log, c.Signal.ToString());
                abort.Cancel();
            }
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);

        var queue = new RelayQueue(options.DataDirectory, d.FreeSpaceReserveMB * 1024 * 1024);
        await using var server = new DicomServer(ListenerOptions.ToServerOptions(d, queue.HasFreeSpace), queue, null, loggers.CreateLogger<DicomServer>());
        await server.StartAsync(drain.Token).ConfigureAwait(false);
        LogListening(log, d.AeTitle, server.LocalEndPoint?.Port ?? 0, server.TlsEndPoint?.Port, options.Hub.Host, options.Hub.Port, options.Hub.AeTitle,
            queue.Pending().Count);

        var forwarder = new RelayForwarder(queue, HubClientOptions(options), log,
            new ExponentialBackoff(TimeSpan.FromSeconds(options.RetryBaseSeconds), TimeSpan.FromSeconds(options.RetryMaxSeconds)),
            compress: options.CompressSyntax);
        var forwarding = forwarder.RunAsync(drain.Token, abort.Token);
        var listening = DrainListenerAsync(server, drainFor, drain.Token, abort.Token);
        try
        {
            await forwarding.ConfigureAwait(false);
        }
        catch
        {
            // The forwarder failed for good: stop taking instances the same way, then report the failure.
            await drain.CancelAsync().ConfigureAwait(false);
            abort.CancelAfter(drainFor);
            await listening.ConfigureAwait(false);
            throw;
        }
        var aborted = await listening.ConfigureAwait(false);
        LogStopped(log, aborted, queue.Pending().Count);
        return Cli.Success;
    }

    /// <summary>Once <paramref name="drain"/> fires: new associations are rejected transient, open ones may finish until
    /// <paramref name="deadline"/> or <paramref name="abort"/>; then the rest are aborted. Returns how many were.</summary>
    private static async Task<int> DrainListenerAsync(DicomServer server, TimeSpan deadline, CancellationToken drain, CancellationToken abort)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, drain).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return await server.DrainAsync(deadline, abort).ConfigureAwait(false);
    }

    private static DicomClientOptions HubClientOptions(RelayOptions o)
    {
        var hub = new DicomClientOptions
        {
            Host = o.Hub.Host,
            Port = o.Hub.Port,
            CalledAE = o.Hub.AeTitle,
            CallingAE = o.Dicom.AeTitle,
            Tls = o.Hub.Tls,
            MaxPduLength = (uint)o.Dicom.MaxPduLength,
            ConnectTimeout = TimeSpan.FromSeconds(o.Hub.ConnectTimeoutSeconds),
            ArtimTimeout = TimeSpan.FromSeconds(o.Hub.ConnectTimeoutSeconds),
            DimseTimeout = TimeSpan.FromSeconds(o.Hub.DimseTimeoutSeconds),
        };
        if (o.Hub.Ca is { Length: > 0 } ca)
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(ca);
            hub.TrustedCertificates = trusted;
        }
        if (o.Hub.Certificate is { Length: > 0 } cert)
        {
            hub.ClientCertificate = X509Certificate2.CreateFromPemFile(cert, o.Hub.Key);
        }
        if (o.MaxRateKBytesPerSecond > 0)
        {
            var rate = o.MaxRateKBytesPerSecond * 1024L;
            hub.TransportFilter = s => new RateLimitedStream(s, rate);
        }
        return hub;
    }

    [LoggerMessage(EventId = 6110, Level = LogLevel.Information,
        Message = "relay {AeTitle} listening on port {Port} (TLS port {TlsPort}), forwarding to {HubHost}:{HubPort} as {HubAe}; {Queued} queued")]
    private static partial void LogListening(ILogger logger, string aeTitle, int port, int? tlsPort, string hubHost, int hubPort, string hubAe, int queued);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Information, Message = "relay stopped ({Aborted} associations aborted at the deadline; {Queued} instances queued for the next start)")]
    private static partial void LogStopped(ILogger logger, int aborted, int queued);

    [LoggerMessage(EventId = 6112, Level = LogLevel.Information,
        Message = "{Signal}: draining for up to {Seconds} s (new associations rejected, open ones and the forward in flight may finish)")]
    private static partial void LogDraining(ILogger logger, string signal, double seconds);

    [LoggerMessage(EventId = 6113, Level = LogLevel.Warning, Message = "second {Signal}: aborting the associations and the forward still open")]
    private static partial void LogSecondSignal(ILogger logger, string signal);
}
