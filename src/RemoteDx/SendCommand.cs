using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx;

/// <summary>`remotedx send HOST PORT PATH... [--aet X] [--called-aet Y] [--tls] [--ca FILE] [--cert FILE --key FILE]`:
/// C-STORE SCU for files and folders, one association for many files, one status line per file.</summary>
public static class SendCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var positional = new List<string>();
        string callingAe = "REMOTEDX", calledAe = "ANY-SCP";
        string? ca = null, cert = null, key = null;
        var tls = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--aet": callingAe = Value(); break;
                case "--called-aet": calledAe = Value(); break;
                case "--tls": tls = true; break;
                case "--ca": ca = Value(); break;
                case "--cert": cert = Value(); break;
                case "--key": key = Value(); break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"unknown option '{args[i]}'");
                    }
                    positional.Add(args[i]);
                    break;
            }
        }
        if (positional.Count < 3 || !int.TryParse(positional[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException("usage: remotedx send HOST PORT PATH... [--aet X] [--called-aet Y] [--tls [--ca FILE] [--cert FILE --key FILE]]");
        }
        var files = new List<string>();
        foreach (var p in positional.Skip(2))
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
            var options = new DicomClientOptions { Host = positional[0], Port = port, CallingAE = callingAe, CalledAE = calledAe, Tls = tls };
            if (ca is not null)
            {
                var trusted = new X509Certificate2Collection();
                trusted.ImportFromPemFile(ca);
                options.TrustedCertificates = trusted;
            }
            if (cert is not null)
            {
                options.ClientCertificate = X509Certificate2.CreateFromPemFile(cert, key ?? throw new ArgumentException("--cert needs --key"));
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
        return failed == 0 ? 0 : 1;
    }
}
