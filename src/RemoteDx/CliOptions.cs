using System.CommandLine;

namespace RemoteDx;

/// <summary>Option shapes several commands share: bounded numbers with the message every command gives when one is
/// out of range, and the model-loading options of score and models.</summary>
internal static class CliOptions
{
    /// <summary>An integer option in [min, max]; --help shows the default (none when <paramref name="fallback"/> is null).</summary>
    public static Option<int> Int(string name, string description, Func<int>? fallback, int min, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N" };
        if (fallback is not null)
        {
            option.DefaultValueFactory = _ => fallback();
        }
        option.Validators.Add(r =>
        {
            if (r.Implicit || r.Tokens.Count == 0 || !int.TryParse(r.Tokens[^1].Value, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                return;
            }
            if (v < min || v > max)
            {
                r.AddError(max == int.MaxValue ? $"{name} needs an integer of at least {min}, not {v}" : $"{name} needs an integer from {min} to {max}, not {v}");
            }
        });
        return option;
    }

    public static Option<double> Double(string name, string description, double fallback, double min, double max)
    {
        var option = new Option<double>(name) { Description = description, HelpName = "X", DefaultValueFactory = _ => fallback };
        option.Validators.Add(r =>
        {
            if (r.Implicit || r.Tokens.Count == 0
                || !double.TryParse(r.Tokens[^1].Value, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                return;
            }
            if (!(v >= min && v <= max))
            {
                r.AddError(FormattableString.Invariant($"{name} needs a number from {min} to {max}, not {r.Tokens[^1].Value}"));
            }
        });
        return option;
    }

    /// <summary>A number that must be finite (double.Parse accepts "NaN" and "Infinity").</summary>
    public static Option<double?> Finite(string name, string description)
    {
        var option = new Option<double?>(name) { Description = description, HelpName = "X" };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && double.TryParse(r.Tokens[^1].Value, System.Globalization.CultureInfo.InvariantCulture, out var v)
                && !double.IsFinite(v))
            {
                r.AddError($"{name} needs a finite number, not '{r.Tokens[^1].Value}'");
            }
        });
        return option;
    }

    public static Option<string> ModelsDir() =>
        new("--models-dir") { Description = "the models folder (default: RemoteDx:Inference:ModelsDirectory, as serve resolves it)", HelpName = "DIR" };

    public static Option<string> Provider() =>
        new("--provider") { Description = "ONNX Runtime execution provider: auto, cpu or cuda (default: RemoteDx:Inference:Provider)", HelpName = "auto|cpu|cuda" };

    public static Option<string> Models() =>
        new("--models") { Description = "comma-separated model names (default: every loaded model)", HelpName = "NAMES" };

    public static Option<int> Workers() =>
        Int("--workers", "parallel decode/preprocess workers (default: the processor count)", () => Environment.ProcessorCount, 1);
}
