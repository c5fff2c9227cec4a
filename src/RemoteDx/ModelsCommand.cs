using System.CommandLine;
using System.Globalization;
using RemoteDx.Core.Batch;
using RemoteDx.Core.Inference;

namespace RemoteDx;

/// <summary>`remotedx models list` (what is installed and how it runs) and `remotedx models validate` (a model's
/// figures on a site's own labelled images, before go-live).</summary>
public static class ModelsCommand
{
    public static Command Create(CommandIO io)
    {
        var command = new Command("models", "Installed models, and their validation on a site's own labelled images (docs/cli.md)")
        {
            List(io),
            Validate(io),
        };
        return command;
    }

    private static Command List(CommandIO io)
    {
        var modelsDir = CliOptions.ModelsDir();
        var provider = CliOptions.Provider();
        var command = new Command("list", "Versions, labels, thresholds and the execution provider of every installed model; refused models with why")
        {
            modelsDir, provider,
        };
        command.SetAction(async (r, _) => await ListAsync(ModelLoading.InferenceOptionsFrom(r.GetValue(modelsDir), r.GetValue(provider)), io.Stdout)
            .ConfigureAwait(false));
        return command;
    }

    private static Command Validate(CommandIO io)
    {
        var labels = new Option<string>("--labels") { Required = true, HelpName = "labels.csv", Description = "a file column and one 1/0/empty column per label" };
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.ZeroOrMore, Description = "what to score (default: the files labels.csv lists)" };
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "report folder", DefaultValueFactory = _ => "validation-report" };
        var target = CliOptions.Double("--target-sensitivity", "sensitivity to find a threshold for", 0.95, 0, 1);
        var models = CliOptions.Models();
        var workers = CliOptions.Workers();
        var bootstrap = CliOptions.Int("--bootstrap", "bootstrap resamples for the AUC interval",
            () => Bootstrap.DefaultResamples, 1);
        var seed = CliOptions.Int("--seed", "bootstrap seed", () => Bootstrap.DefaultSeed, 0);
        var modelsDir = CliOptions.ModelsDir();
        var provider = CliOptions.Provider();
        var command = new Command("validate", "AUC with a bootstrap interval, ROC, and operating points of each model label on labelled images")
        {
            labels, paths, output, target, models, workers, bootstrap, seed, modelsDir, provider,
        };
        command.SetAction((r, ct) => ValidateAsync(new ValidateRequest(r.GetRequiredValue(labels), r.GetValue(paths) ?? [],
                Path.GetFullPath(r.GetRequiredValue(output)), r.GetValue(target), r.GetValue(models), r.GetValue(workers), r.GetValue(bootstrap),
                r.GetValue(seed), ModelLoading.InferenceOptionsFrom(r.GetValue(modelsDir), r.GetValue(provider))),
            io, ct));
        return command;
    }

    private sealed record ValidateRequest(string LabelsPath, string[] Paths, string OutDir, double Target, string? Models, int Workers,
        int Resamples, int Seed, InferenceOptions Options);

    /// <summary>Exit 0 when at least one model loaded, 1 when none did (after listing why).</summary>
    private static async Task<int> ListAsync(InferenceOptions options, TextWriter stdout)
    {
        await using var registry = ModelRegistry.Load(options);
        stdout.WriteLine($"models folder: {options.ModelsDirectory}");
        stdout.WriteLine($"execution provider: {registry.Provider} (asked: {options.Provider})" +
            (registry.CudaFallbackReason is { } why ? $"; CUDA not used: {why}" : ""));
        foreach (var m in registry.Models)
        {
            var man = m.Manifest;
            stdout.WriteLine();
            stdout.WriteLine($"{m.Name} {man.Version}  on {m.Provider}, batches of up to {m.MaxBatch}  sha256 {man.Sha256}");
            if (!string.IsNullOrEmpty(man.Description))
            {
                stdout.WriteLine($"  {man.Description}");
            }
            var applies = man.AppliesTo;
            stdout.WriteLine($"  applies to: modality {Any(applies.Modalities)}, body part {Any(applies.BodyParts)}, view {Any(applies.ViewPositions)}" +
                (applies.MinRows > 0 || applies.MinColumns > 0 ? $", at least {applies.MinRows}×{applies.MinColumns}" : ""));
            stdout.WriteLine($"  input: {man.Input.Name} {man.Input.Dtype} {man.Input.Channels}×{man.Input.Height}×{man.Input.Width}");
            var width = Math.Max(5, man.Labels.Max(l => l.Name.Length));
            stdout.WriteLine($"  {"label".PadRight(width)}  threshold  urgency  critical");
            foreach (var l in man.Labels)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {l.Name.PadRight(width)}  {l.Threshold,9:0.###}  {l.Urgency,7:0.###}  {(l.Critical ? "yes" : "no")}"));
            }
        }
        if (registry.Models.Count == 0)
        {
            stdout.WriteLine();
            stdout.WriteLine("no models loaded");
        }
        foreach (var r in registry.Rejected)
        {
            stdout.WriteLine();
            stdout.WriteLine($"rejected {Path.GetFileName(r.Folder)}: {r.Reason}");
        }
        return registry.Models.Count > 0 ? Cli.Success : Cli.Failure;
    }

    private static string Any(IReadOnlyList<string> values) => values.Count == 0 ? "any" : string.Join("/", values);

    private static async Task<int> ValidateAsync(ValidateRequest q, CommandIO io, CancellationToken ct)
    {
        var (stdout, stderr) = (io.Stdout, io.Stderr);
        var (labelsPath, target, outDir, options) = (q.LabelsPath, q.Target, q.OutDir, q.Options);
        if (!File.Exists(labelsPath))
        {
            throw new FileNotFoundException($"{labelsPath}: no such file", labelsPath);
        }
        var labels = LabelsFile.Read(labelsPath);
        // Without PATHs, the files the labels file lists (those that exist; the rest are reported).
        var inputs = q.Paths.Length > 0 ? InputScanner.Scan(q.Paths) : InputScanner.Scan(labels.Files.Where(File.Exists));
        await using var registry = ModelRegistry.Load(options);
        var models = ModelLoading.Select(registry, options.ModelsDirectory, q.Models);
        foreach (var r in registry.Rejected)
        {
            stderr.WriteLine($"remotedx: warning: {r.Reason}");
        }
        using var collector = new ValidationCollector();
        var progress = new BatchProgress { Total = inputs.Count };
        var scorer = new BatchScorer(models, q.Workers);
        var run = scorer.RunAsync(inputs, collector.Write, progress, ct);
        await ScoreCommand.ShowProgressAsync(run, progress, stderr).ConfigureAwait(false);
        await run.ConfigureAwait(false);
        var report = ModelValidation.Compute(labels, collector, models.Select(m => m.Manifest).ToList(), target, q.Resamples, q.Seed);
        ValidationReportWriter.Write(report, outDir);
        foreach (var l in report.Labels)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{l.Model}/{l.Label}: n={l.Cases} ({l.Positives}+/{l.Negatives}-) AUC {F(l.Auc)} [{F(l.AucInterval?.Low)}, {F(l.AucInterval?.High)}]; " +
                $"at {l.Threshold:0.###}: sensitivity {F(l.Sensitivity)}, specificity {F(l.Specificity)}; " +
                $"sensitivity ≥ {target:0.###} from threshold {F(l.AtTargetSensitivity?.Threshold, "0.####")}"));
        }
        foreach (var s in report.LabelsNotInModels)
        {
            stdout.WriteLine($"label '{s}' in the labels file: no selected model has it");
        }
        foreach (var s in report.ModelLabelsNotInCsv)
        {
            stdout.WriteLine($"model label {s}: not in the labels file, not validated");
        }
        stdout.WriteLine($"{report.FilesScored} of {report.FilesLabelled} labelled files scored, {report.Unscored.Count} without scores; report in {outDir}");
        return Cli.Success;
    }

    private static string F(double? v, string format = "0.000") =>
        v is { } d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
