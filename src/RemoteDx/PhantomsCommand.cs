using System.CommandLine;
using RemoteDx.Phantoms;

namespace RemoteDx;

/// <summary>`remotedx phantoms --count N --out DIR [--seed S] [--size PIXELS] [--findings-rate R] [--encoding E]`:
/// synthetic chest radiographs with known findings and a labels.csv; `--samples --out DIR` writes the curated sample
/// set (sample-dicom/).</summary>
public static class PhantomsCommand
{
    public static Command Create(CommandIO io)
    {
        var defaults = new PhantomBatchOptions();
        var count = CliOptions.Int("--count", "how many phantoms", null, 1);
        var output = new Option<string>("--out") { Required = true, HelpName = "DIR", Description = "output folder" };
        var seed = new Option<long>("--seed") { HelpName = "S", Description = "random seed", DefaultValueFactory = _ => defaults.Seed };
        var size = CliOptions.Int("--size", "image size in pixels", () => defaults.Size, 64, 4096);
        var findingsRate = CliOptions.Double("--findings-rate", "share of abnormal cases", defaults.FindingsRate, 0, 1);
        var encoding = new Option<string>("--encoding") { HelpName = "E", Description = "pixel encoding (mixed: 60 % native, 20 % RLE, 20 % JPEG Lossless)", DefaultValueFactory = _ => "mixed" };
        encoding.AcceptOnlyFromAmong("mixed", "native", "rle", "jpeg-lossless");
        var parallel = CliOptions.Int("--parallel", "cases generated at once (default: one per core)", () => Environment.ProcessorCount, 1);
        var samples = new Option<bool>("--samples") { Description = "write the curated sample set (sample-dicom/) instead of --count phantoms" };
        var command = new Command("phantoms", "Synthetic chest radiographs with known findings and labels.csv (phantoms, not patients)")
        {
            count, output, seed, size, findingsRate, encoding, parallel, samples,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(samples) is { Implicit: false }) == (r.GetResult(count) is { Implicit: false }))
            {
                r.AddError("give either --count N or --samples");
            }
        });
        command.SetAction(r =>
        {
            var outDir = r.GetRequiredValue(output);
            if (r.GetValue(samples))
            {
                var written = PhantomSamples.Write(outDir);
                io.Stdout.WriteLine($"wrote {written.Count} sample files, labels.csv and README.md to {outDir}");
                return Cli.Success;
            }
            var options = defaults with
            {
                Count = r.GetValue(count),
                Seed = r.GetValue(seed),
                Size = r.GetValue(size),
                FindingsRate = r.GetValue(findingsRate),
                Parallelism = r.GetValue(parallel),
                Encoding = r.GetValue(encoding) switch
                {
                    "native" => PixelEncoding.Native,
                    "rle" => PixelEncoding.Rle,
                    "jpeg-lossless" => PixelEncoding.JpegLossless,
                    _ => null,
                },
            };
            return Generate(options, outDir, io);
        });
        return command;
    }

    private static int Generate(PhantomBatchOptions options, string outDir, CommandIO io)
    {
        var last = -1;
        var cases = PhantomGenerator.WriteBatch(options, outDir, done =>
        {
            // Progress every 5 %, from whichever worker gets there.
            var step = Math.Max(1, options.Count / 20);
            if (done % step == 0 && Interlocked.Exchange(ref last, done) != done)
            {
                io.Stderr.WriteLine($"phantoms: {done}/{options.Count}");
            }
        });
        var abnormal = cases.Count(c => c.Findings.Any);
        io.Stdout.WriteLine($"wrote {cases.Count} phantoms ({abnormal} abnormal) and labels.csv to {outDir}");
        return Cli.Success;
    }
}
