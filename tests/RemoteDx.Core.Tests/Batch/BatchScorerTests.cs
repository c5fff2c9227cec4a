using RemoteDx.Core.Batch;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Tests.Inference;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Batch;

public sealed class BatchScorerTests(TestNetFixture fixture) : IClassFixture<TestNetFixture>
{
    [Fact]
    public async Task A_folder_with_a_subfolder_and_a_zip_gives_one_result_per_file_and_bad_files_do_not_stop_it()
    {
        var dir = TempDirectory.ForTestRun();
        var expected = BatchFolder.Make(dir);
        await using var registry = ModelRegistry.Load(new InferenceOptions { ModelsDirectory = fixture.ModelsDir, Provider = "cpu" });
        var inputs = InputScanner.Scan([dir]);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), inputs.Select(i => i.Path).Order(StringComparer.Ordinal));

        var results = new List<BatchResult>();
        var progress = new BatchProgress { Total = inputs.Count };
        await new BatchScorer(registry.Models, workers: 3).RunAsync(inputs, results.Add, progress);

        Assert.Equal(expected.Count, results.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), results.Select(r => r.Path).Order(StringComparer.Ordinal));
        foreach (var r in results)
        {
            Assert.True(expected[r.Path] == r.Status, $"{r.Path}: {r.Status} ({r.Error})");
            switch (r.Status)
            {
                case BatchStatus.Scored:
                    Assert.Equal(3, Assert.Single(r.Models).Labels.Count);
                    Assert.NotNull(r.SopInstanceUid);
                    Assert.Null(r.Error);
                    break;
                case BatchStatus.NotApplicable:
                    Assert.Empty(r.Models);
                    Assert.Null(r.Error);
                    break;
                default:
                    Assert.False(string.IsNullOrWhiteSpace(r.Error));
                    Assert.DoesNotContain('\n', r.Error);
                    break;
            }
        }
        Assert.Equal(expected.Count, progress.Done);
        Assert.Equal(expected.Values.Count(s => s == BatchStatus.Error), progress.Failed);
        Assert.Equal(expected.Values.Count(s => s == BatchStatus.NotApplicable), progress.NotApplicable);

        // A zip entry is scored exactly as the same bytes on disk.
        var onDisk = results.Single(r => r.Path.EndsWith("/good1.dcm", StringComparison.Ordinal)).Models[0].Labels;
        var inZip = results.Single(r => r.Path.EndsWith("!z/same-as-good1.dcm", StringComparison.Ordinal)).Models[0].Labels;
        Assert.Equal(onDisk.Select(l => l.Probability), inZip.Select(l => l.Probability));
    }

    [Fact]
    public async Task Many_files_through_few_workers_fill_the_model_batches()
    {
        var dir = TempDirectory.ForTestRun();
        for (var i = 0; i < 40; i++)
        {
            TestImages.Save(new TestImages.Spec(Rows: 64, Columns: 64, Seed: 100 + i), dir, $"{i:D3}.dcm");
        }
        // A long batching wait: a batch runs early only when it is full, so the sizes say how many images were handed
        // off together, whatever the machine's speed.
        var models = TempDirectory.ForTestRun();
        var folder = TestModels.Make(models, "scorer-batches");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        manifest["batching"] = new System.Text.Json.Nodes.JsonObject { ["maxBatch"] = 8, ["maxWaitMs"] = 5000 };
        File.WriteAllText(Path.Combine(folder, "manifest.json"), manifest.ToJsonString());
        await using var registry = ModelRegistry.Load(new InferenceOptions { ModelsDirectory = models, Provider = "cpu" });
        var sizes = new List<long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (inst, l) =>
        {
            if (inst.Meter.Name == InferenceMetrics.MeterName && inst.Name == "remotedx_inference_batch_size")
            {
                l.EnableMeasurementEvents(inst);
            }
        };
        // Other test classes run models at the same time; only this model's batches count.
        listener.SetMeasurementEventCallback<int>((_, v, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == "model" && (string?)t.Value == "scorer-batches")
                {
                    lock (sizes)
                    {
                        sizes.Add(v);
                    }
                }
            }
        });
        listener.Start();
        var results = new List<BatchResult>();
        await new BatchScorer(registry.Models, workers: 1).RunAsync(InputScanner.Scan([dir]), results.Add);
        listener.Dispose();
        Assert.All(results, r => Assert.Equal(BatchStatus.Scored, r.Status));
        // One worker that waited for each result would make batches of one (each after the 5 s wait); handing off
        // without waiting fills every batch.
        Assert.Equal([8, 8, 8, 8, 8], sizes);
    }
}
