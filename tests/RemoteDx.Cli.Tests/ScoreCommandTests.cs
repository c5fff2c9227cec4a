using RemoteDx.Core.Batch;
using RemoteDx.Core.Tests.Batch;
using RemoteDx.Core.Tests.Inference;
using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests;

public sealed class ScoreCommandTests(ModelsFixture models) : IClassFixture<ModelsFixture>
{
    private static List<List<string>> Rows(string csv)
    {
        using var s = File.OpenRead(csv);
        return Csv.Read(s).Select(r => r.Fields).ToList();
    }

    [Fact]
    public async Task Score_writes_a_row_per_file_and_label_reports_failures_and_exits_0()
    {
        var dir = TempDirectory.ForTestRun();
        var expected = BatchFolder.Make(dir);
        var outCsv = Path.Combine(dir, "..", Path.GetFileName(dir) + "-out", "scores.csv");
        var (code, stdout, stderr) = await RemoteDxCommand.RunAsync(
            "score", dir, "--out", outCsv, "--models-dir", models.ModelsDir, "--provider", "cpu", "--workers", "3");
        Assert.True(code == 0, stderr);
        var rows = Rows(outCsv);
        Assert.Equal(["path", "sopInstanceUid", "model", "label", "probability", "positive", "error"], rows[0].Take(7));
        var byPath = rows.Skip(1).GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), byPath.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, status) in expected)
        {
            var fileRows = byPath[path];
            var col = CsvResultWriter.Columns.ToList();
            switch (status)
            {
                case BatchStatus.Scored:
                    Assert.Equal(["alpha", "beta", "gamma"], fileRows.Select(r => r[col.IndexOf("label")]));
                    Assert.All(fileRows, r =>
                    {
                        Assert.Equal("testnet", r[col.IndexOf("model")]);
                        Assert.Equal("scored", r[col.IndexOf("status")]);
                        Assert.Equal("", r[col.IndexOf("error")]);
                        var p = double.Parse(r[col.IndexOf("probability")], System.Globalization.CultureInfo.InvariantCulture);
                        Assert.InRange(p, 0, 1);
                        Assert.Equal(p >= 0.5 ? "true" : "false", r[col.IndexOf("positive")]);
                    });
                    break;
                case BatchStatus.NotApplicable:
                    var na = Assert.Single(fileRows);
                    Assert.Equal("not-applicable", na[col.IndexOf("status")]);
                    Assert.Equal("", na[col.IndexOf("model")]);
                    Assert.Equal("", na[col.IndexOf("error")]);
                    Assert.NotEqual("", na[col.IndexOf("sopInstanceUid")]);
                    break;
                default:
                    var err = Assert.Single(fileRows);
                    Assert.Equal("error", err[col.IndexOf("status")]);
                    Assert.NotEqual("", err[col.IndexOf("error")]);
                    break;
            }
        }
        var scored = expected.Values.Count(s => s == BatchStatus.Scored);
        var notApplicable = expected.Values.Count(s => s == BatchStatus.NotApplicable);
        var failed = expected.Values.Count(s => s == BatchStatus.Error);
        Assert.Contains($"{expected.Count} files in ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{scored} scored, {notApplicable} not applicable, {failed} failed", stdout, StringComparison.Ordinal);
        // Each failure is named on stderr, and the tampered model is reported but does not stop the run.
        foreach (var (path, _) in expected.Where(e => e.Value == BatchStatus.Error))
        {
            Assert.Contains($"failed: {path}: ", stderr, StringComparison.Ordinal);
        }
        Assert.Contains("tampered", stderr, StringComparison.Ordinal);
        // Not a terminal: plain progress lines instead of a bar.
        Assert.Contains($"progress: {expected.Count}/{expected.Count} (100%)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_to_JSON_writes_one_JSON_line_per_file()
    {
        var dir = TempDirectory.ForTestRun();
        var expected = BatchFolder.Make(dir);
        var outJson = Path.Combine(TempDirectory.ForTestRun(), "scores.json");
        var (code, _, stderr) = await RemoteDxCommand.RunAsync(
            "score", dir, "--out", outJson, "--models-dir", models.ModelsDir, "--provider", "cpu", "--models", "testnet");
        Assert.True(code == 0, stderr);
        var lines = File.ReadAllLines(outJson).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        Assert.Equal(expected.Count, lines.Count);
        foreach (var l in lines)
        {
            var status = expected[(string)l["path"]!];
            Assert.Equal(BatchResult.StatusName(status), (string)l["status"]!);
            Assert.Equal(status == BatchStatus.Scored ? 1 : 0, l["models"]!.AsArray().Count);
        }
    }

    [Fact]
    public async Task Resume_after_a_killed_run_scores_each_file_once()
    {
        var dir = TempDirectory.ForTestRun();
        var files = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            files.Add(TestImages.Save(new TestImages.Spec(Rows: 256, Columns: 256, Seed: 1000 + i), dir, $"{i:D4}.dcm"));
        }
        var outCsv = Path.Combine(TempDirectory.ForTestRun(), "scores.csv");
        string[] args = ["score", dir, "--out", outCsv, "--models-dir", models.ModelsDir, "--provider", "cpu", "--models", "testnet", "--workers", "1"];
        using (var child = RemoteDxCommand.Start(args))
        {
            // Kill once some results are on disk (and before the end, unless this machine is very fast: then the
            // resume below simply finds everything done, which must also leave one result per file).
            while (!child.HasExited && (!File.Exists(outCsv) || File.ReadAllLines(outCsv).Length < 30))
            {
                await Task.Delay(20);
            }
            if (!child.HasExited)
            {
                child.Kill();
            }
            await child.WaitAsync(TimeSpan.FromMinutes(1));
        }
        var before = Rows(outCsv).Skip(1).Select(r => r[0]).Distinct().Count();
        var (code, stdout, stderr) = await RemoteDxCommand.RunAsync([.. args, "--resume"]);
        Assert.True(code == 0, stderr);
        var rows = Rows(outCsv);
        Assert.Single(rows, r => r[0] == "path");
        var perFile = rows.Skip(1).GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.Select(r => r[3]).ToList());
        Assert.Equal(files.Order(StringComparer.Ordinal), perFile.Keys.Order(StringComparer.Ordinal));
        Assert.All(perFile.Values, labels => Assert.Equal(["alpha", "beta", "gamma"], labels));
        // The resumed run skipped what the killed one had finished (all but the file in doubt).
        var skipped = int.Parse(System.Text.RegularExpressions.Regex.Match(stdout, @"(\d+) skipped").Groups[1].Value);
        Assert.InRange(skipped, Math.Max(0, before - 1), before);
        Assert.Contains($"{files.Count - skipped} files in ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_into_an_output_cut_mid_row_adds_only_the_missing_files()
    {
        var dir = TempDirectory.ForTestRun();
        var expected = BatchFolder.Make(dir);
        var outCsv = Path.Combine(TempDirectory.ForTestRun(), "scores.csv");
        string[] args = ["score", dir, "--out", outCsv, "--models-dir", models.ModelsDir, "--provider", "cpu"];
        Assert.Equal(0, (await RemoteDxCommand.RunAsync(args)).Code);
        var complete = Rows(outCsv).Skip(1).Select(r => string.Join('|', r[..7])).Order().ToList();
        var text = File.ReadAllText(outCsv);
        File.WriteAllText(outCsv, text[..(text.Length * 2 / 3)]);
        var (code, stdout, stderr) = await RemoteDxCommand.RunAsync([.. args, "--resume"]);
        Assert.True(code == 0, stderr);
        var resumed = Rows(outCsv).Skip(1).Select(r => string.Join('|', r[..7])).Order().ToList();
        Assert.Equal(complete, resumed);
        Assert.DoesNotContain(" 0 skipped", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_a_missing_input_or_no_loadable_model_exits_1()
    {
        var dir = TempDirectory.ForTestRun();
        TestImages.Save(new TestImages.Spec(), dir, "a.dcm");
        var outCsv = Path.Combine(dir, "o.csv");
        var (code, _, stderr) = await RemoteDxCommand.RunAsync("score", dir);
        Assert.Equal(2, code);
        Assert.Contains("remotedx: score: Option '--out' is required", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RemoteDxCommand.RunAsync("score", Path.Combine(dir, "nope"), "--out", outCsv, "--models-dir", models.ModelsDir);
        Assert.Equal(1, code);
        Assert.Contains("no such file or folder", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RemoteDxCommand.RunAsync("score", dir, "--out", outCsv, "--models-dir", models.ModelsDir, "--models", "nosuch");
        Assert.Equal(2, code);
        Assert.Contains("no model 'nosuch'", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RemoteDxCommand.RunAsync("score", dir, "--out", outCsv, "--models-dir", models.ModelsDir, "--models", "tampered");
        Assert.Equal(1, code);
        Assert.Contains("sha256", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RemoteDxCommand.RunAsync("score", dir, "--out", outCsv, "--models-dir", TempDirectory.ForTestRun());
        Assert.Equal(1, code);
        Assert.Contains("no model could be loaded", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
