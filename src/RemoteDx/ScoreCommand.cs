using System.CommandLine;
using System.Globalization;
using RemoteDx.Core.Batch;
using RemoteDx.Core.Inference;
using Spectre.Console;

namespace RemoteDx;

/// <summary>`remotedx score PATH... --out FILE.csv|FILE.json`: offline scoring of files, folders and zip archives,
/// with a progress bar (or plain progress lines when stderr is not a terminal) and a summary. Exit 0 when every file
/// was attempted, whatever each one's outcome; 2 for a usage error; 1 for a missing input or when no model can be
/// loaded; 130 when interrupted.</summary>
public static class ScoreCommand
{
    public static Command Create(CommandIO io)
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "DICOM files, folders (recursive) and zip archives" };
        var output = new Option<string>("--out")
        {
            Required = true,
            HelpName = "FILE.csv|FILE.json",
            Description = "the results: CSV, or JSON Lines for .json/.jsonl",
        };
        var models = CliOptions.Models();
        var workers = CliOptions.Workers();
        var resume = new Option<bool>("--resume") { Description = "append to --out and skip the files already in it" };
        var modelsDir = CliOptions.ModelsDir();
        var provider = CliOptions.Provider();
        var timings = new Option<bool>("--timings")
        {
            Description = "print where the time went per stage (parse, read, decode, histogram, preprocess, ONNX, output) at the end",
        };
        var command = new Command("score", "Offline scoring of files, folders and zip archives, with a progress bar")
        {
            paths, output, models, workers, resume, modelsDir, provider, timings,
        };
        command.SetAction((r, ct) => RunAsync(r.GetRequiredValue(paths), r.GetRequiredValue(output), r.GetValue(models), r.GetValue(workers),
            r.GetValue(resume), ModelLoading.InferenceOptionsFrom(r.GetValue(modelsDir), r.GetValue(provider)), r.GetValue(timings), io, ct));
        return command;
    }

    private static async Task<int> RunAsync(string[] paths, string outPath, string? modelNames, int workers, bool resume,
        InferenceOptions options, bool timings, CommandIO io, CancellationToken ct)
    {
        var (stdout, stderr) = (io.Stdout, io.Stderr);
        var inputs = InputScanner.Scan(paths);
        await using var registry = ModelRegistry.Load(options);
        var models = ModelLoading.Select(registry, options.ModelsDirectory, modelNames);
        foreach (var r in registry.Rejected)
        {
            stderr.WriteLine($"remotedx: warning: {r.Reason}");
        }
        using var writer = ResultFile.Open(outPath, resume, out var done);
        var todo = done.Count == 0 ? inputs : inputs.Where(i => !done.Contains(i.Path)).ToList();
        var progress = new BatchProgress { Total = todo.Count, Skipped = inputs.Count - todo.Count };
        var failures = new List<BatchResult>();
        void Write(BatchResult r)
        {
            var started = StageTimings.Start();
            writer.Write(r);
            StageTimings.Add(StageTimings.Stage.Output, started);
            if (r.Status == BatchStatus.Error && failures.Count < 20)
            {
                failures.Add(r);
            }
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var cpuAtStart = TimeSpan.Zero;
        try
        {
            var scorer = new BatchScorer(models, workers);
            StageTimings.Reset();
            StageTimings.Enabled = timings;
            cpuAtStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            stderr.WriteLine($"remotedx: scoring {todo.Count} files ({progress.Skipped} already in {outPath}) with " +
                $"{string.Join(", ", models.Select(m => $"{m.Name} {m.Manifest.Version}"))} on {registry.Provider}, {scorer.Workers} workers");
            var run = scorer.RunAsync(todo, Write, progress, cancel.Token);
            await ShowProgressAsync(run, progress, stderr).ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            stderr.WriteLine($"remotedx: interrupted after {progress.Done} of {progress.Total} files; --resume carries on");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            StageTimings.Enabled = false;
        }
        if (timings)
        {
            stderr.WriteLine("timings (summed over threads):");
            stderr.WriteLine(StageTimings.Report(progress.Done, progress.Elapsed,
                System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart));
        }
        foreach (var f in failures)
        {
            stderr.WriteLine($"failed: {f.Path}: {f.Error}");
        }
        if (progress.Failed > failures.Count)
        {
            stderr.WriteLine($"… and {progress.Failed - failures.Count} more failures (see the error column in {outPath})");
        }
        stdout.WriteLine(Summary(progress, outPath));
        return Cli.Success;
    }

    public static string Summary(BatchProgress p, string outPath) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Done} files in {p.Elapsed.TotalSeconds:0.0} s ({p.Rate:0.0}/s): {p.Scored} scored, {p.NotApplicable} not applicable, " +
        $"{p.Failed} failed; {p.Skipped} skipped (already in the output) → {outPath}");

    /// <summary>A Spectre.Console bar with rate and ETA on a terminal; otherwise a plain line on stderr every few
    /// seconds and one at the end (logs and CI keep a readable record).</summary>
    internal static async Task ShowProgressAsync(Task run, BatchProgress p, TextWriter stderr)
    {
        var terminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal)
        {
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
                if (!run.IsCompleted)
                {
                    stderr.WriteLine(Line(p));
                }
            }
            stderr.WriteLine(Line(p));
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("scoring", maxValue: Math.Max(1, p.Total));
                do
                {
                    task.Value = p.Done;
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{p.Done}/{p.Total} · {p.Rate:0.0} img/s · {p.Failed} failed"));
                    await Task.WhenAny(run, Task.Delay(200)).ConfigureAwait(false);
                }
                while (!run.IsCompleted);
                task.Value = p.Done;
                task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Done}/{p.Total} · {p.Rate:0.0} img/s · {p.Failed} failed"));
            }).ConfigureAwait(false);
    }

    private static string Line(BatchProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"progress: {p.Done}/{p.Total} ({(p.Total == 0 ? 100 : 100.0 * p.Done / p.Total):0}%) {p.Rate:0.0} img/s, ETA {Eta(p.Remaining)}, {p.Failed} failed");

    private static string Eta(TimeSpan? t) => t is { } v ? v.ToString(v.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture) : "?";
}
