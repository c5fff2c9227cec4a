using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx;

/// <summary>The remotedx command line: one subcommand per verb. Every failure is one line on stderr and a
/// non-zero exit.</summary>
public static class Cli
{
    private const string Usage = """
        usage: remotedx <command> [options]
          dump FILE [--json]                          the dataset as text, or DICOM JSON (PS3.18 F)
          pixels FILE OUT [--frame N]                 decoded stored values as raw little-endian samples
          render FILE OUT.png|OUT.jpg [--frame N] [--wc C --ww W]   the displayed image
          codecs                                      which transfer syntaxes this machine can decode
          serve [--config FILE] [--dicom-port N] [--http-url URL] [--data DIR] [--aet AE]
                                                      the DICOM listener and web server
          send HOST PORT PATH... [--aet X] [--called-aet Y] [--tls [--ca F] [--cert F --key F]]
                                                      C-STORE files and folders
          score PATH... --out FILE.csv|FILE.json [--models NAMES] [--workers N] [--resume] [--models-dir DIR] [--provider P]
                                                      offline scoring of files, folders and zip archives
          models list|validate ...                    installed models; validation on labelled images (docs/cli.md)
          users add NAME --role R [--clinic AET]... --password-stdin | users passwd NAME --password-stdin | users list
                                                      web viewer accounts ([--data DIR] [--config FILE])
          phantoms --count N --out DIR [--seed S] [--size PX] [--findings-rate R] | phantoms --samples --out DIR   synthetic chest phantoms
        """;

    /// <summary>Every command, the long-running and network ones included.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        if (args is ["score", ..]) return await ScoreCommand.RunAsync(args[1..], stdout, stderr, ct).ConfigureAwait(false);
        if (args is ["models", ..]) return await ModelsCommand.RunAsync(args[1..], stdout, stderr, ct).ConfigureAwait(false);
        if (args.Length > 0 && args[0] == "users") return await UsersCommand.RunAsync(args[1..], Console.In, stdout, stderr, ct).ConfigureAwait(false);
        if (args.Length > 0 && args[0] is "serve" or "send")
        {
            try
            {
                return args[0] == "serve"
                    ? await Hosting.ServeCommand.RunAsync(args[1..], stderr, ct).ConfigureAwait(false)
                    : await SendCommand.RunAsync(args[1..], stdout, stderr, ct).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                stderr.WriteLine("remotedx: " + OneLine(ex.Message));
                return 2;
            }
            catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException or InvalidOperationException)
            {
                stderr.WriteLine("remotedx: " + OneLine(ex.Message));
                return 1;
            }
        }
        return Run(args, stdout, stderr);
    }

    /// <summary>The file commands (dump, pixels, render, codecs).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "dump" => Dump(args[1..], stdout),
                "pixels" => Pixels(args[1..], stderr),
                "render" => Render(args[1..]),
                "codecs" => Codecs(stdout),
                "phantoms" => PhantomsCommand.Run(args[1..], stdout),
                "serve" or "send" => throw new UsageException($"'{args[0]}' runs through Cli.RunAsync"),
                _ => throw new UsageException($"unknown command '{args[0]}' (try 'remotedx --help')"),
            };
        }
        catch (UsageException ex)
        {
            stderr.WriteLine("remotedx: " + ex.Message);
            return 2;
        }
        catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException or InvalidDataException
            or NotSupportedException or ArgumentException or FormatException or OutOfMemoryException or OverflowException)
        {
            stderr.WriteLine("remotedx: " + OneLine(ex.Message));
            return 1;
        }
        catch (Exception ex)
        {
            // A bug of ours, not bad input: still one line and a distinct exit code (EX_SOFTWARE), never a stack dump.
            stderr.WriteLine($"remotedx: internal error ({ex.GetType().Name}): {OneLine(ex.Message)}");
            return 70;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    private static int Dump(string[] args, TextWriter stdout)
    {
        var (positional, flags) = Parse(args, ["--json"], []);
        if (positional.Count != 1)
        {
            throw new UsageException("usage: remotedx dump FILE [--json]");
        }
        var file = DicomReader.ReadFile(positional[0]);
        if (flags.ContainsKey("--json"))
        {
            stdout.WriteLine(DicomJson.Serialize(file.Dataset));
        }
        else
        {
            stdout.Write(DatasetDumper.Dump(file));
        }
        return 0;
    }

    private static int Pixels(string[] args, TextWriter stderr)
    {
        var (positional, flags) = Parse(args, [], ["--frame"]);
        if (positional.Count != 2)
        {
            throw new UsageException("usage: remotedx pixels FILE OUT [--frame N]");
        }
        var frame = flags.TryGetValue("--frame", out var f) ? ParseInt(f, "--frame") : 0;
        var file = DicomReader.ReadFile(positional[0], new DicomReadOptions { LazyPixelData = true });
        var data = PixelDataDecoder.DecodeFrame(file, frame);
        WriteAtomically(positional[1], data);
        // After the decode succeeded, so that a failure stays exactly one line.
        if (PixelDataDecoder.CountFrames(file).Warning is { } warning)
        {
            stderr.WriteLine("remotedx: warning: " + warning);
        }
        return 0;
    }

    private static int Render(string[] args)
    {
        var (positional, flags) = Parse(args, [], ["--frame", "--wc", "--ww"]);
        if (positional.Count != 2)
        {
            throw new UsageException("usage: remotedx render FILE OUT.png [--frame N] [--wc C --ww W]");
        }
        var frame = flags.TryGetValue("--frame", out var f) ? ParseInt(f, "--frame") : 0;
        double? wc = flags.TryGetValue("--wc", out var c) ? ParseDouble(c, "--wc") : null;
        double? ww = flags.TryGetValue("--ww", out var w) ? ParseDouble(w, "--ww") : null;
        if (wc.HasValue != ww.HasValue)
        {
            throw new UsageException("--wc and --ww go together");
        }
        if (ww is <= 0)
        {
            throw new UsageException("--ww must be positive");
        }
        var file = DicomReader.ReadFile(positional[0], new DicomReadOptions { LazyPixelData = true });
        var bytes = Renderer.RenderToFile(file, frame, wc, ww, positional[1]);
        WriteAtomically(positional[1], bytes);
        return 0;
    }

    private static int Codecs(TextWriter stdout)
    {
        foreach (var s in RemoteDx.Dicom.Codecs.CodecRegistry.SelfTest())
        {
            stdout.WriteLine($"{(s.Available ? "ok  " : "FAIL")}  {s.Syntax.Uid,-24} {s.Syntax.Name}  [{s.Codec}]{(s.Error is null ? "" : "  " + s.Error)}");
        }
        return 0;
    }

    private static void WriteAtomically(string path, byte[] data)
    {
        var tmp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllBytes(tmp, data);
        File.Move(tmp, path, overwrite: true);
    }

    private static int ParseInt(string s, string name) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"{name} needs an integer, not '{s}'");

    private static double ParseDouble(string s, string name) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw new UsageException($"{name} needs a number, not '{s}'");

    private static (List<string> Positional, Dictionary<string, string> Flags) Parse(string[] args, string[] switches, string[] valued)
    {
        var positional = new List<string>();
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (switches.Contains(a))
            {
                flags[a] = "";
            }
            else if (valued.Contains(a))
            {
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"{a} needs a value");
                }
                flags[a] = args[++i];
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unknown option '{a}'");
            }
            else
            {
                positional.Add(a);
            }
        }
        return (positional, flags);
    }

    private sealed class UsageException(string message) : Exception(message);
}
