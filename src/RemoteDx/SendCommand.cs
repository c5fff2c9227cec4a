using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx;

/// <summary>`remotedx send HOST PORT PATH... [--aet X] [--called-aet Y] [--tls] [--ca FILE] [--cert FILE --key FILE]`:
/// C-STORE SCU for files and folders, one association for many files, one status line per file. An instance that makes
/// the SCP abort is retried alone, then set aside, and the rest go on (<see cref="StoreSender"/>).</summary>
public static class SendCommand
{
    public static Command Create(CommandIO io)
    {
        var host = new Argument<string>("HOST") { Description = "the SCP's host name or address" };
        var port = new Argument<int>("PORT") { Description = "the SCP's port" };
        port.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && (!int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535))
            {
                r.AddError($"PORT must be 1-65535, not '{r.Tokens[0].Value}'");
            }
        });
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "files and folders (recursive)" };
        var callingAe = new Option<string>("--aet") { HelpName = "AE", Description = "calling AE title", DefaultValueFactory = _ => "REMOTEDX" };
        var calledAe = new Option<string>("--called-aet") { HelpName = "AE", Description = "called AE title", DefaultValueFactory = _ => "ANY-SCP" };
        var tls = new Option<bool>("--tls") { Description = "DICOM over TLS" };
        var ca = new Option<string>("--ca") { HelpName = "FILE", Description = "PEM certificates to trust for the SCP (with --tls)" };
        var cert = new Option<string>("--cert") { HelpName = "FILE", Description = "PEM client certificate (with --key)" };
        var key = new Option<string>("--key") { HelpName = "FILE", Description = "PEM private key of --cert" };
        var command = new Command("send", "C-STORE files and folders to a DICOM SCP, one association for many files, one status line per file")
        {
            host, port, paths, callingAe, calledAe, tls, ca, cert, key,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(cert) is null) != (r.GetResult(key) is null))
            {
                r.AddError("--cert and --key go together");
            }
        });
        command.SetAction((r, ct) => RunAsync(new SendRequest(r.GetRequiredValue(host), r.GetValue(port), r.GetRequiredValue(paths),
            r.GetRequiredValue(callingAe), r.GetRequiredValue(calledAe), r.GetValue(tls), r.GetValue(ca), r.GetValue(cert), r.GetValue(key)), io, ct));
        return command;
    }

    private sealed record SendRequest(string Host, int Port, string[] Paths, string CallingAe, string CalledAe, bool Tls, string? Ca,
        string? Cert, string? Key);

    private static async Task<int> RunAsync(SendRequest q, CommandIO io, CancellationToken ct)
    {
        var stdout = io.Stdout;
        var files = new List<string>();
        foreach (var p in q.Paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new FileNotFoundException($"{p}: no such file or folder");
            }
        }

        var options = new DicomClientOptions { Host = q.Host, Port = q.Port, CallingAE = q.CallingAe, CalledAE = q.CalledAe, Tls = q.Tls };
        if (q.Ca is { } ca)
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(ca);
            options.TrustedCertificates = trusted;
        }
        if (q.Cert is { } cert)
        {
            options.ClientCertificate = X509Certificate2.CreateFromPemFile(cert, q.Key);
        }
        var failed = 0;
        var sent = 0;
        await new StoreSender(options).SendAsync(files, r =>
        {
            var status = r.Status is { } st
                ? $"status {st.Code.ToString("X4", CultureInfo.InvariantCulture)}{(st.ErrorComment is null ? "" : " " + st.ErrorComment)}"
                : "";
            switch (r.Kind)
            {
                case StoreResultKind.Success:
                    stdout.WriteLine($"OK {r.Path}");
                    sent++;
                    break;
                case StoreResultKind.Warning:
                    stdout.WriteLine($"WARNING {r.Path}: {status}");
                    sent++;
                    break;
                case StoreResultKind.Failure:
                    stdout.WriteLine($"FAILED {r.Path}: {status}");
                    failed++;
                    break;
                default:
                    stdout.WriteLine($"FAILED {r.Path}: {r.Error}");
                    failed++;
                    break;
            }
            return ValueTask.CompletedTask;
        }, ct).ConfigureAwait(false);
        stdout.WriteLine($"{sent} sent, {failed} failed");
        return failed == 0 ? Cli.Success : Cli.Failure;
    }
}
