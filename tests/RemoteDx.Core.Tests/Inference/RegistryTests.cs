using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using RemoteDx.Core.Inference;
using RemoteDx.Dicom;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Inference;

public sealed class RegistryTests(TestNetFixture fixture) : IClassFixture<TestNetFixture>
{
    private static InferenceOptions Cpu(string dir) => new() { ModelsDirectory = dir, Provider = "cpu", IntraOpThreads = 1 };

    [Fact]
    public async Task Probabilities_and_heatmaps_equal_torch_on_the_same_input()
    {
        await using var registry = ModelRegistry.Load(Cpu(fixture.ModelsDir));
        var model = Assert.Single(registry.Models);
        var dir = TempDirectory.ForTestRun();
        var len = model.Preprocessor.InputLength;
        var batch = new float[3 * len];
        var placements = new InputPlacement[3];
        for (var i = 0; i < 3; i++)
        {
            using var image = ModalityImage.FromFile(TestImages.Create(new TestImages.Spec(Rows: 100 + 40 * i, Columns: 150, Seed: 10 + i)));
            placements[i] = model.Preprocessor.Prepare(image, batch.AsSpan(i * len, len));
        }
        var input = Path.Combine(dir, "input.npy");
        Npy.WriteFloat32(input, batch, 3, 1, 64, 48);
        Tool.RunOk(Tool.Python,
            Repo.Path("tools/inference/torch_reference.py"), fixture.TestNet, input, Path.Combine(dir, "torch"));
        var (probabilities, _) = Npy.Read(Path.Combine(dir, "torch.probabilities.npy"));
        var (heat, heatShape) = Npy.Read(Path.Combine(dir, "torch.heatmap.npy"));
        var tasks = Enumerable.Range(0, 3)
            .Select(i => model.ScorePreparedAsync(batch.AsMemory(i * len, len), placements[i]))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        var (labels, h, w) = (heatShape[1], heatShape[2], heatShape[3]);
        for (var i = 0; i < 3; i++)
        {
            for (var l = 0; l < labels; l++)
            {
                var expected = probabilities[i * labels + l];
                Assert.InRange(results[i].Labels[l].Probability, expected - 1e-5, expected + 1e-5);
                Assert.Equal(expected >= 0.5, results[i].Labels[l].Positive);
            }
            // Heatmaps are the torch map, through the sigmoid, cropped to the cells that cover the image.
            var map = results[i].Heatmaps[0];
            var p = placements[i];
            var x0 = (int)Math.Floor(p.Left * w + 1e-4);
            var y0 = (int)Math.Floor(p.Top * h + 1e-4);
            Assert.Equal(map.Width * map.Height, map.Values.Length);
            for (var y = 0; y < map.Height; y++)
            {
                for (var x = 0; x < map.Width; x++)
                {
                    var t = 1 / (1 + Math.Exp(-heat[(i * labels * h + (y0 + y)) * w + x0 + x]));
                    Assert.InRange(map.Values[y * map.Width + x], t - 1e-5, t + 1e-5);
                }
            }
        }
        // The three inputs differ, so the outputs must too (a constant network would pass the loop above only once).
        Assert.NotEqual(results[0].Labels[0].Probability, results[2].Labels[0].Probability);
    }

    [Fact]
    public async Task Concurrent_callers_are_batched_and_each_gets_its_own_result()
    {
        var models = TempDirectory.ForTestRun();
        var folder = TestModels.Make(models, "batched");
        // A long wait makes full batches certain: 16 callers, batches of 8.
        Rewrite(folder, m => m["batching"] = new JsonObject { ["maxBatch"] = 8, ["maxWaitMs"] = 2000 });
        var sizes = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (inst, l) =>
        {
            if (inst.Meter.Name == InferenceMetrics.MeterName && inst.Name == "remotedx_inference_batch_size")
            {
                l.EnableMeasurementEvents(inst);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, v, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == "model" && (string?)t.Value == "batched")
                {
                    lock (sizes)
                    {
                        sizes.Add(v);
                    }
                }
            }
        });
        listener.Start();
        await using var registry = ModelRegistry.Load(new InferenceOptions { ModelsDirectory = models, Provider = "cpu", IntraOpThreads = 1, WarmUp = false });
        var files = Enumerable.Range(0, 16).Select(i => TestImages.Create(new TestImages.Spec(Rows: 80 + i, Columns: 60 + 3 * i, Seed: 100 + i))).ToArray();
        // Alone, one at a time: the reference answer for every image.
        await using var solo = ModelRegistry.Load(Cpu(fixture.ModelsDir));
        var expected = new List<ImageScore>();
        foreach (var f in files)
        {
            expected.Add(await solo.ScoreAsync(f));
        }
        var together = await Task.WhenAll(files.Select(f => Task.Run(() => registry.ScoreAsync(f))));
        for (var i = 0; i < files.Length; i++)
        {
            var a = expected[i].Models[0].Labels;
            var b = together[i].Models[0].Labels;
            for (var l = 0; l < a.Count; l++)
            {
                Assert.InRange(b[l].Probability, a[l].Probability - 1e-5, a[l].Probability + 1e-5);
            }
        }
        lock (sizes)
        {
            Assert.Equal(16, sizes.Sum());
            Assert.Contains(8, sizes);
        }
    }

    [Fact]
    public async Task Without_CUDA_libraries_auto_falls_back_to_cpu_and_cuda_refuses_the_model()
    {
        var cudaPresent = NativeLibrary.TryLoad("libcudart.so.13", out var handle) && NativeLibrary.TryLoad("libcublasLt.so.13", out _);
        if (handle != IntPtr.Zero)
        {
            NativeLibrary.Free(handle);
        }
        await using var auto = ModelRegistry.Load(new InferenceOptions { ModelsDirectory = fixture.ModelsDir, Provider = "auto" });
        await using var cuda = ModelRegistry.Load(new InferenceOptions { ModelsDirectory = fixture.ModelsDir, Provider = "cuda" });
        if (cudaPresent)
        {
            Assert.Equal("cuda", auto.Provider);
            return;
        }
        Assert.Equal("cpu", auto.Provider);
        Assert.Single(auto.Models);
        Assert.Matches(@"lib\w+\.so\.\d+ is missing", auto.CudaFallbackReason);
        // Still scores, on CPU, with the same session options.
        var score = await auto.ScoreAsync(TestImages.Create(new TestImages.Spec()));
        Assert.Equal(3, score.Models[0].Labels.Count);
        Assert.Empty(cuda.Models);
        Assert.Contains("CUDA execution provider did not load", Assert.Single(cuda.Rejected).Reason);
    }

    [Fact]
    public async Task Bad_models_are_refused_with_a_reason_and_the_good_one_still_loads()
    {
        var models = TempDirectory.ForTestRun();
        TestModels.Make(models, "good");
        Rewrite(TestModels.Make(models, "badsha"), m => m["sha256"] = new string('a', 64));
        Rewrite(TestModels.Make(models, "badlabels"), m => ((JsonArray)m["labels"]!).RemoveAt(0));
        Rewrite(TestModels.Make(models, "badinput"), m => m["input"]!["name"] = "pixels");
        Rewrite(TestModels.Make(models, "badsize"), m => m["input"]!["height"] = 128);
        Rewrite(TestModels.Make(models, "baddtype"), m => m["input"]!["dtype"] = "float16");
        Rewrite(TestModels.Make(models, "badfield"), m => m["thresholds"] = 3);
        Rewrite(TestModels.Make(models, "badname"), m => m["name"] = "other");
        var corrupt = TestModels.Make(models, "corrupt");
        var garbage = new byte[4096];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(corrupt, "model.onnx"), garbage);
        Rewrite(corrupt, m => m["sha256"] = ModelRegistry.Sha256Hex(Path.Combine(corrupt, "model.onnx")));
        Directory.CreateDirectory(Path.Combine(models, "nomanifest"));
        var badJson = Directory.CreateDirectory(Path.Combine(models, "badjson")).FullName;
        File.WriteAllText(Path.Combine(badJson, "manifest.json"), "{ \"name\": ");

        await using var registry = ModelRegistry.Load(Cpu(models));
        Assert.Equal("good", Assert.Single(registry.Models).Name);
        string Reason(string folder) => registry.Rejected.Single(r => Path.GetFileName(r.Folder) == folder).Reason;
        Assert.Contains("sha256 of model.onnx is", Reason("badsha"));
        Assert.Contains("2 labels", Reason("badlabels"));
        Assert.Contains("no input 'pixels'", Reason("badinput"));
        Assert.Contains("height is 64 in the graph, 128 in the manifest", Reason("badsize"));
        Assert.Contains("manifest says float16", Reason("baddtype"));
        Assert.Contains("not a valid manifest", Reason("badfield"));
        Assert.Contains("differs from the folder name", Reason("badname"));
        Assert.Contains("ONNX Runtime cannot load model.onnx", Reason("corrupt"));
        Assert.Contains("manifest.json is missing", Reason("nomanifest"));
        Assert.Contains("not a valid manifest", Reason("badjson"));
        Assert.Equal(10, registry.Rejected.Count);
    }

    [Fact]
    public async Task An_image_no_model_applies_to_is_not_applicable_and_is_never_decoded()
    {
        var models = TempDirectory.ForTestRun();
        Rewrite(TestModels.Make(models, "chest"), m => m["appliesTo"] = new JsonObject
        {
            ["modalities"] = new JsonArray("CR", "DX"),
            ["bodyParts"] = new JsonArray("CHEST"),
            ["viewPositions"] = new JsonArray("PA", "AP"),
            ["minRows"] = 64,
            ["minColumns"] = 64,
        });
        await using var registry = ModelRegistry.Load(Cpu(models));
        Assert.False((await registry.ScoreAsync(TestImages.Create(new TestImages.Spec(Modality: "dx", BodyPart: "chest")))).NotApplicable);
        Assert.True((await registry.ScoreAsync(TestImages.Create(new TestImages.Spec(BodyPart: "HAND")))).NotApplicable);
        Assert.True((await registry.ScoreAsync(TestImages.Create(new TestImages.Spec(Modality: "CT")))).NotApplicable);
        Assert.True((await registry.ScoreAsync(TestImages.Create(new TestImages.Spec(ViewPosition: "LL")))).NotApplicable);
        Assert.True((await registry.ScoreAsync(TestImages.Create(new TestImages.Spec(Rows: 32)))).NotApplicable);
        // Header-only routing: a hand film with unreadable pixel data is still just "not applicable".
        var hand = TestImages.Create(new TestImages.Spec(BodyPart: "HAND"));
        hand.Dataset.SetBytes(Tag.PixelData, VR.OW, new byte[10]);
        Assert.True((await registry.ScoreAsync(hand)).NotApplicable);
    }

    [Fact]
    public async Task With_no_usable_model_scoring_says_inference_is_unavailable()
    {
        var models = TempDirectory.ForTestRun();
        Rewrite(TestModels.Make(models, "broken"), m => m["sha256"] = new string('b', 64));
        await using var registry = ModelRegistry.Load(Cpu(models));
        var ex = await Assert.ThrowsAsync<InferenceUnavailableException>(() => registry.ScoreAsync(TestImages.Create(new TestImages.Spec())));
        Assert.Contains("sha256", ex.Message);
    }

    [Fact]
    public async Task Float16_input_models_and_fixed_batch_graphs_score_like_the_float32_model()
    {
        var models = TempDirectory.ForTestRun();
        TestModels.Make(models, "half", "--dtype", "float16");
        TestModels.Make(models, "fixed", "--fixed-batch", "4");
        await using var registry = ModelRegistry.Load(Cpu(models));
        await using var reference = ModelRegistry.Load(Cpu(fixture.ModelsDir));
        Assert.Equal(2, registry.Models.Count);
        Assert.Equal(4, registry.Find("fixed")!.MaxBatch);
        var files = Enumerable.Range(0, 6).Select(i => TestImages.Create(new TestImages.Spec(Seed: 40 + i))).ToArray();
        var expected = await Task.WhenAll(files.Select(f => reference.ScoreAsync(f)));
        var actual = await Task.WhenAll(files.Select(f => registry.ScoreAsync(f)));
        for (var i = 0; i < files.Length; i++)
        {
            var e = expected[i].Models[0].Labels;
            var fixedBatch = actual[i].Models.Single(m => m.Model == "fixed").Labels;
            var half = actual[i].Models.Single(m => m.Model == "half").Labels;
            for (var l = 0; l < e.Count; l++)
            {
                Assert.InRange(fixedBatch[l].Probability, e[l].Probability - 1e-5, e[l].Probability + 1e-5);
                // float16 input rounding: about 3 significant digits.
                Assert.InRange(half[l].Probability, e[l].Probability - 5e-3, e[l].Probability + 5e-3);
            }
        }
    }

    [Fact]
    public async Task Findings_follow_thresholds_urgency_and_critical_labels()
    {
        var models = TempDirectory.ForTestRun();
        Rewrite(TestModels.Make(models, "t"), m => m["labels"] = new JsonArray(
            new JsonObject { ["name"] = "a", ["threshold"] = 0.0, ["urgency"] = 0.9, ["critical"] = true },
            new JsonObject { ["name"] = "b", ["threshold"] = 1.0, ["urgency"] = 1.0, ["critical"] = true },
            new JsonObject { ["name"] = "c", ["threshold"] = 0.0, ["urgency"] = 0.2, ["critical"] = false }));
        await using var registry = ModelRegistry.Load(Cpu(models));
        var score = (await registry.ScoreAsync(TestImages.Create(new TestImages.Spec()))).Models[0];
        Assert.True(score.Labels[0].Positive);
        Assert.False(score.Labels[1].Positive);
        // The manifest's urgency and critical flags reach each label; how they rank is Pipeline/RankTests'.
        Assert.Equal([(0.9f, true), (1.0f, true), (0.2f, false)], score.Labels.Select(l => (l.Urgency, l.Critical)));
        Assert.Equal(["a", "b", "c"], score.Heatmaps.Select(h => h.Label));
        Assert.All(score.Heatmaps.SelectMany(h => h.Values), v => Assert.InRange(v, 0f, 1f));
    }

    internal static void Rewrite(string folder, Action<JsonObject> change)
    {
        var path = Path.Combine(folder, "manifest.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
