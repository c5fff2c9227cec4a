using System.Globalization;
using RemoteDx.Phantoms;

namespace RemoteDx;

/// <summary>`remotedx phantoms --count N --out DIR [--seed S] [--size PIXELS] [--findings-rate R] [--encoding E]`:
/// synthetic chest radiographs with known findings and a labels.csv; `--samples --out DIR` writes the curated sample
/// set (sample-dicom/).</summary>
public static class PhantomsCommand
{
    private const string Usage =
        "usage: remotedx phantoms --count N --out DIR [--seed S] [--size PIXELS] [--findings-rate R] [--encoding mixed|native|rle|jpeg-lossless] [--parallel N] | phantoms --samples --out DIR";

    public static int Run(string[] args, TextWriter stdout)
    {
        int? count = null;
        string? output = null;
        var options = new PhantomBatchOptions();
        var samples = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--count": count = Int(Value(), "--count", 1); break;
                case "--out": output = Value(); break;
                case "--seed": options = options with { Seed = long.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException("--seed needs an integer") }; break;
                case "--size": options = options with { Size = Int(Value(), "--size", 64, 4096) }; break;
                case "--findings-rate":
                    var rate = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r is >= 0 and <= 1
                        ? r : throw new ArgumentException("--findings-rate needs a number in 0..1");
                    options = options with { FindingsRate = rate };
                    break;
                case "--encoding":
                    options = options with
                    {
                        Encoding = Value() switch
                        {
                            "mixed" => null,
                            "native" => PixelEncoding.Native,
                            "rle" => PixelEncoding.Rle,
                            "jpeg-lossless" => PixelEncoding.JpegLossless,
                            var e => throw new ArgumentException($"--encoding '{e}' is not mixed, native, rle or jpeg-lossless"),
                        },
                    };
                    break;
                case "--parallel": options = options with { Parallelism = Int(Value(), "--parallel", 1) }; break;
                case "--samples": samples = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'; {Usage}");
            }
        }
        if (output is null || samples == count.HasValue)
        {
            throw new ArgumentException(Usage);
        }
        if (samples)
        {
            var written = PhantomSamples.Write(output);
            stdout.WriteLine($"wrote {written.Count} sample files, labels.csv and README.md to {output}");
            return 0;
        }
        options = options with { Count = count!.Value };
        var last = -1;
        var cases = PhantomGenerator.WriteBatch(options, output, done =>
        {
            // Progress every 5 %, from whichever worker gets there.
            var step = Math.Max(1, options.Count / 20);
            if (done % step == 0 && Interlocked.Exchange(ref last, done) != done)
            {
                Console.Error.WriteLine($"phantoms: {done}/{options.Count}");
            }
        });
        var abnormal = cases.Count(c => c.Findings.Any);
        stdout.WriteLine($"wrote {cases.Count} phantoms ({abnormal} abnormal) and labels.csv to {output}");
        return 0;
    }

    private static int Int(string s, string name, int min, int max = int.MaxValue) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new ArgumentException($"{name} needs an integer in {min}..{max}, not '{s}'");
}
