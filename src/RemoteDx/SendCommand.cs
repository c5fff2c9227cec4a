using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx;

/// <summary>`remotedx send HOST PORT PATH... [--aet X] [--called-aet Y] [--tls] [--ca FILE] [--cert FILE --key FILE]`:
/// C-STORE SCU for files and folders, one association for many files, one status line per file.</summary>
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
        var (stdout, stderr) = (io.Stdout, io.Stderr);
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

        var unreadable = new List<(string Path, string Error)>();
        var groups = PresentationContextProposal.ForFiles(files, unreadable);
        var failed = 0;
        var sent = 0;
        foreach (var (path, error) in unreadable)
        {
            stdout.WriteLine($"FAILED {path}: not sent: {error}");
            failed++;
        }
        foreach (var (contexts, groupFiles) in groups)
        {
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
            DicomClient client;
            try
            {
                client = await DicomClient.ConnectAsync(options, contexts, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DicomException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or TimeoutException)
            {
                foreach (var f in groupFiles)
                {
                    stdout.WriteLine($"FAILED {f}: association failed: {ex.Message}");
                }
                failed += groupFiles.Count;
                continue;
            }
            await using (client.ConfigureAwait(false))
            {
                var aborted = false;
                foreach (var f in groupFiles)
                {
                    if (aborted)
                    {
                        stdout.WriteLine($"FAILED {f}: association was aborted");
                        failed++;
                        continue;
                    }
                    try
                    {
                        var status = await client.StoreAsync(f, ct).ConfigureAwait(false);
                        var code = status.Code.ToString("X4", CultureInfo.InvariantCulture);
                        if (status.Code == 0)
                        {
                            stdout.WriteLine($"OK {f}");
                            sent++;
                        }
                        else if ((status.Code & 0xF000) == 0xB000)
                        {
                            stdout.WriteLine($"WARNING {f}: status {code}{(status.ErrorComment is null ? "" : " " + status.ErrorComment)}");
                            sent++;
                        }
                        else
                        {
                            stdout.WriteLine($"FAILED {f}: status {code}{(status.ErrorComment is null ? "" : " " + status.ErrorComment)}");
                            failed++;
                        }
                    }
                    catch (Exception ex) when (ex is DicomException or IOException or TimeoutException)
                    {
                        stdout.WriteLine($"FAILED {f}: {ex.Message}");
                        failed++;
                        aborted = ex is DicomAssociationAbortedException or IOException or TimeoutException;
                    }
                }
                if (!aborted)
                {
                    try
                    {
                        await client.ReleaseAsync(ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is DicomException or IOException or TimeoutException)
                    {
                        stderr.WriteLine($"remotedx: release failed: {ex.Message}");
                    }
                }
            }
        }
        stdout.WriteLine($"{sent} sent, {failed} failed");
        return failed == 0 ? Cli.Success : Cli.Failure;
    }
}
