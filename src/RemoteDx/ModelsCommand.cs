using System.Globalization;
using RemoteDx.Core.Batch;
using RemoteDx.Core.Inference;

namespace RemoteDx;

/// <summary>`remotedx models list` (what is installed and how it runs) and `remotedx models validate` (a model's
/// figures on a site's own labelled images, before go-live).</summary>
public static class ModelsCommand
{
    public const string UsageText = """
        usage: remotedx models list [--models-dir DIR] [--provider auto|cpu|cuda]
               remotedx models validate --labels labels.csv [PATH...] [--out DIR] [--target-sensitivity 0.95]
                   [--models NAMES] [--workers N] [--bootstrap N] [--seed S] [--models-dir DIR] [--provider auto|cpu|cuda]
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        try
        {
            return args.Length == 0 ? throw new CommandUsageException(UsageText) : args[0] switch
            {
                "list" => await ListAsync(args[1..], stdout).ConfigureAwait(false),
                "validate" => await ValidateAsync(args[1..], stdout, stderr, ct).ConfigureAwait(false),
                _ => throw new CommandUsageException(UsageText),
            };
        }
        catch (Exception ex) when (ex is CommandUsageException or FileNotFoundException)
        {
            stderr.WriteLine("remotedx: " + ex.Message.ReplaceLineEndings(" "));
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("remotedx: " + ex.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    /// <summary>Exit 0 when at least one model loaded, 1 when none did (after listing why).</summary>
    private static async Task<int> ListAsync(string[] args, TextWriter stdout)
    {
        var a = CommandArgs.Parse(args, [], ModelLoading.Options);
        if (a.Positional.Count != 0)
        {
            throw new CommandUsageException(UsageText);
        }
        var options = ModelLoading.InferenceOptionsFrom(a);
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
        return registry.Models.Count > 0 ? 0 : 1;
    }

    private static string Any(IReadOnlyList<string> values) => values.Count == 0 ? "any" : string.Join("/", values);

    private static async Task<int> ValidateAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var a = CommandArgs.Parse(args, [],
            ["--labels", "--out", "--target-sensitivity", "--models", "--workers", "--bootstrap", "--seed", .. ModelLoading.Options]);
        if (a.Get("--labels") is not { } labelsPath)
        {
            throw new CommandUsageException(UsageText);
        }
        var target = a.GetDouble("--target-sensitivity", 0.95, 0, 1);
        var resamples = a.GetInt("--bootstrap", Bootstrap.DefaultResamples, 1);
        var seed = a.GetInt("--seed", Bootstrap.DefaultSeed, 0);
        var workers = a.GetInt("--workers", Environment.ProcessorCount, 1);
        var outDir = Path.GetFullPath(a.Get("--out") ?? "validation-report");
        if (!File.Exists(labelsPath))
        {
            throw new FileNotFoundException($"{labelsPath}: no such file", labelsPath);
        }
        var labels = LabelsFile.Read(labelsPath);
        // Without PATHs, the files the labels file lists (those that exist; the rest are reported).
        var inputs = a.Positional.Count > 0 ? InputScanner.Scan(a.Positional) : InputScanner.Scan(labels.Files.Where(File.Exists));
        var options = ModelLoading.InferenceOptionsFrom(a);
        await using var registry = ModelRegistry.Load(options);
        var models = ModelLoading.Select(registry, options.ModelsDirectory, a.Get("--models"));
        foreach (var r in registry.Rejected)
        {
            stderr.WriteLine($"remotedx: warning: {r.Reason}");
        }
        using var collector = new ValidationCollector();
        var progress = new BatchProgress { Total = inputs.Count };
        var scorer = new BatchScorer(models, workers);
        var run = scorer.RunAsync(inputs, collector.Write, progress, ct);
        await ScoreCommand.ShowProgressAsync(run, progress, stderr).ConfigureAwait(false);
        await run.ConfigureAwait(false);
        var report = ModelValidation.Compute(labels, collector, models.Select(m => m.Manifest).ToList(), target, resamples, seed);
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
        return 0;
    }

    private static string F(double? v, string format = "0.000") =>
        v is { } d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
