using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom;

namespace RemoteDx.Bench;

/// <summary>
/// remotedx-bench inference --models DIR --model NAME [--batch 1|16] [--images N] [--threads T] [--provider cpu|cuda|auto] FILE...
///
/// Side by side in one process, same session options:
///   bare:  InferenceSession.Run on tensors prepared beforehand, in batches of B (the ceiling);
///   whole: decoded pixels → ModalityImage → preprocessing → dynamic batching (maxBatch B) → postprocessing →
///          findings, with B concurrent callers (the engine as the service and batch scoring use it).
/// Files are read and their pixel data decoded before timing ("decoded pixels" are the input); the modality LUT,
/// intensity mapping, resize and everything after are timed. Best of three passes each.
/// </summary>
public static class InferenceBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? models = null, name = null, provider = "cpu";
        int batch = 16, images = 256, threads = 0;
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--models": models = args[++i]; break;
                case "--model": name = args[++i]; break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--images": images = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--provider": provider = args[++i]; break;
                default: files.Add(args[i]); break;
            }
        }
        if (models is null || name is null || files.Count == 0)
        {
            Console.Error.WriteLine("usage: remotedx-bench inference --models DIR --model NAME [--batch B] [--images N] [--threads T] [--provider P] FILE...");
            return 2;
        }
        var options = new InferenceOptions { ModelsDirectory = models, Provider = provider, IntraOpThreads = threads };
        // Decoded once, outside the timing: the input of the path under test is decoded pixels.
        var decoded = files.Select(f =>
        {
            var file = DicomFile.Open(f);
            var pixels = PixelDataDecoder.DecodeFrame(file, 0);
            file.Dataset.SetBytes(Tag.PixelData, file.Dataset[Tag.PixelData] is { } e && e.VR == VR.OB ? VR.OB : VR.OW, pixels);
            file.TransferSyntax = TransferSyntax.ExplicitVRLittleEndian;
            return file;
        }).ToArray();

        await using var registry = ModelRegistry.Load(options);
        if (registry.Find(name) is not { } model)
        {
            Console.Error.WriteLine($"model {name} not loaded: {string.Join("; ", registry.Rejected.Select(r => r.Reason))}");
            return 1;
        }
        var manifest = model.Manifest;
        var manifestPath = Path.Combine(models, name, "manifest.json");
        var tuned = ManifestWithBatch(manifestPath, batch);

        // Bare ONNX Runtime: one session with the same options, prepared tensors, batches of B.
        var so = OnnxSessions.CreateOptions(options, out var used, out _);
        using var session = new InferenceSession(Path.Combine(models, name, manifest.File), so);
        var len = model.Preprocessor.InputLength;
        var prepared = new float[batch * len];
        for (var i = 0; i < batch; i++)
        {
            using var img = ModalityImage.FromFile(decoded[i % decoded.Length]);
            model.Preprocessor.Prepare(img, prepared.AsSpan(i * len, len));
        }
        long[] shape = [batch, manifest.Input.Channels, manifest.Input.Height, manifest.Input.Width];
        var outputs = manifest.Outputs.Heatmap is { } hm ? new[] { manifest.Outputs.Scores, hm } : [manifest.Outputs.Scores];
        double Bare(int count)
        {
            var sw = Stopwatch.StartNew();
            for (var done = 0; done < count; done += batch)
            {
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, prepared.AsMemory(), shape);
                using var ro = new RunOptions();
                using var result = session.Run(ro, [manifest.Input.Name], [input], outputs);
                _ = result[0].GetTensorDataAsSpan<float>()[0];
            }
            return sw.Elapsed.TotalSeconds;
        }

        // The whole path, through a registry whose model batches by B.
        await using var whole = ModelRegistry.Load(new InferenceOptions
        {
            ModelsDirectory = tuned, Provider = provider, IntraOpThreads = threads, QueueCapacity = Math.Max(64, batch * 4),
        });
        async Task<double> Whole(int count)
        {
            var next = -1;
            var sw = Stopwatch.StartNew();
            var callers = Enumerable.Range(0, batch).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var score = await whole.ScoreAsync(decoded[i % decoded.Length]);
                    if (score.NotApplicable)
                    {
                        throw new InvalidOperationException("the benchmark images must be ones the model applies to");
                    }
                }
            })).ToArray();
            await Task.WhenAll(callers);
            return sw.Elapsed.TotalSeconds;
        }

        Bare(batch * 2);
        await Whole(batch * 2);
        double bareBest = double.MaxValue, wholeBest = double.MaxValue;
        var rounded = (images + batch - 1) / batch * batch;
        for (var pass = 0; pass < 3; pass++)
        {
            // Interleaved, so drift in machine load hits both alike.
            bareBest = Math.Min(bareBest, Bare(rounded));
            wholeBest = Math.Min(wholeBest, await Whole(rounded));
        }
        // Single-threaded cost of the engine's own per-image work before the session (modality image + preprocessing),
        // to explain the difference.
        var prepBuffer = new float[len];
        var prepWatch = Stopwatch.StartNew();
        for (var i = 0; i < 64; i++)
        {
            using var img = ModalityImage.FromFile(decoded[i % decoded.Length]);
            model.Preprocessor.Prepare(img, prepBuffer);
        }
        var prepMs = prepWatch.Elapsed.TotalMilliseconds / 64;
        var bareRate = rounded / bareBest;
        var wholeRate = rounded / wholeBest;
        var image = decoded[0].Dataset;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model={name} provider={used} batch={batch} images={rounded} source={image.GetInt(Tag.Rows)}x{image.GetInt(Tag.Columns)} " +
            $"bare_img_per_s={bareRate:F1} whole_img_per_s={wholeRate:F1} overhead_pct={(bareRate / wholeRate - 1) * 100:F1} prep_ms_per_img={prepMs:F2} bare_ms_per_img={1000 / bareRate:F2}"));
        Directory.Delete(tuned, true);
        return 0;
    }

    /// <summary>A copy of the model folder whose manifest batches by <paramref name="batch"/>.</summary>
    private static string ManifestWithBatch(string manifestPath, int batch)
    {
        var folder = Path.GetDirectoryName(manifestPath)!;
        var root = Path.Combine(Path.GetTempPath(), "rdx-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var copy = Directory.CreateDirectory(Path.Combine(root, Path.GetFileName(folder))).FullName;
        foreach (var f in Directory.GetFiles(folder))
        {
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        }
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        json["batching"] = new System.Text.Json.Nodes.JsonObject { ["maxBatch"] = batch, ["maxWaitMs"] = 5 };
        File.WriteAllText(Path.Combine(copy, "manifest.json"), json.ToJsonString());
        return root;
    }
}
