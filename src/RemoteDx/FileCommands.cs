using System.CommandLine;
using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx;

/// <summary>The file commands: dump, pixels, render and codecs. Their actions are synchronous (local files only).</summary>
internal static class FileCommands
{
    public static Command Dump(CommandIO io)
    {
        var file = new Argument<string>("FILE") { Description = "a DICOM file" };
        var json = new Option<bool>("--json") { Description = "the DICOM JSON Model (PS3.18 F.2) instead of text" };
        var command = new Command("dump", "The dataset as text, or as DICOM JSON (PS3.18 F)") { file, json };
        command.SetAction(r =>
        {
            var dicom = DicomReader.ReadFile(r.GetRequiredValue(file));
            if (r.GetValue(json))
            {
                io.Stdout.WriteLine(DicomJson.Serialize(dicom.Dataset));
            }
            else
            {
                io.Stdout.Write(DatasetDumper.Dump(dicom));
            }
            return Cli.Success;
        });
        return command;
    }

    public static Command Pixels(CommandIO io)
    {
        var file = new Argument<string>("FILE") { Description = "a DICOM file with pixel data" };
        var output = new Argument<string>("OUT") { Description = "where the raw little-endian samples go (rows, columns[, samples])" };
        var frame = Frame();
        var command = new Command("pixels", "The frame's decoded stored values as raw little-endian samples (what pydicom's pixel_array holds)")
        {
            file, output, frame,
        };
        command.SetAction(r =>
        {
            var dicom = DicomReader.ReadFile(r.GetRequiredValue(file), new DicomReadOptions { LazyPixelData = true });
            var data = PixelDataDecoder.DecodeFrame(dicom, r.GetValue(frame));
            WriteAtomically(r.GetRequiredValue(output), data);
            // After the decode succeeded, so that a failure stays exactly one line.
            if (PixelDataDecoder.CountFrames(dicom).Warning is { } warning)
            {
                io.Stderr.WriteLine("remotedx: warning: " + warning);
            }
            return Cli.Success;
        });
        return command;
    }

    public static Command Render(CommandIO io)
    {
        var file = new Argument<string>("FILE") { Description = "a DICOM file with pixel data" };
        var output = new Argument<string>("OUT") { Description = "OUT.png, OUT.jpg or OUT.jpeg" };
        var frame = Frame();
        var wc = CliOptions.Finite("--wc", "window centre (with --ww; default: the file's window, else the frame's range)");
        var ww = CliOptions.Finite("--ww", "window width, positive (with --wc)");
        ww.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && double.TryParse(r.Tokens[^1].Value, CultureInfo.InvariantCulture, out var v) && v <= 0)
            {
                r.AddError("--ww must be positive");
            }
        });
        var command = new Command("render", "The displayed image (modality LUT, VOI, MONOCHROME1 inversion, palette and colour conversion) as PNG or JPEG")
        {
            file, output, frame, wc, ww,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(wc) is null) != (r.GetResult(ww) is null))
            {
                r.AddError("--wc and --ww go together");
            }
        });
        command.SetAction(r =>
        {
            var outPath = r.GetRequiredValue(output);
            var dicom = DicomReader.ReadFile(r.GetRequiredValue(file), new DicomReadOptions { LazyPixelData = true });
            var bytes = Renderer.RenderToFile(dicom, r.GetValue(frame), r.GetValue(wc), r.GetValue(ww), outPath);
            WriteAtomically(outPath, bytes);
            return Cli.Success;
        });
        return command;
    }

    public static Command Codecs(CommandIO io)
    {
        var command = new Command("codecs", "Which transfer syntaxes this machine can decode (the codec self-test)");
        command.SetAction(_ =>
        {
            foreach (var s in RemoteDx.Dicom.Codecs.CodecRegistry.SelfTest())
            {
                io.Stdout.WriteLine($"{(s.Available ? "ok  " : "FAIL")}  {s.Syntax.Uid,-24} {s.Syntax.Name}  [{s.Codec}]{(s.Error is null ? "" : "  " + s.Error)}");
            }
            return Cli.Success;
        });
        return command;
    }

    private static Option<int> Frame() => CliOptions.Int("--frame", "frame number, from 0", () => 0, 0);

    private static void WriteAtomically(string path, byte[] data)
    {
        var tmp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllBytes(tmp, data);
        File.Move(tmp, path, overwrite: true);
    }
}
