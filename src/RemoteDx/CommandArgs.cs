using System.Globalization;

namespace RemoteDx;

/// <summary>Positional arguments and --options of one subcommand (the batch commands' parser).</summary>
internal sealed class CommandArgs
{
    public List<string> Positional { get; } = [];

    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);

    public static CommandArgs Parse(string[] args, string[] switches, string[] valued)
    {
        var parsed = new CommandArgs();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (switches.Contains(a))
            {
                parsed._flags[a] = "";
            }
            else if (valued.Contains(a))
            {
                if (i + 1 >= args.Length)
                {
                    throw new CommandUsageException($"{a} needs a value");
                }
                parsed._flags[a] = args[++i];
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandUsageException($"unknown option '{a}'");
            }
            else
            {
                parsed.Positional.Add(a);
            }
        }
        return parsed;
    }

    public bool Has(string flag) => _flags.ContainsKey(flag);

    public string? Get(string flag) => _flags.TryGetValue(flag, out var v) ? v : null;

    public int GetInt(string flag, int fallback, int min)
    {
        if (Get(flag) is not { } s)
        {
            return fallback;
        }
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new CommandUsageException($"{flag} needs an integer of at least {min}, not '{s}'");
    }

    public double GetDouble(string flag, double fallback, double min, double max)
    {
        if (Get(flag) is not { } s)
        {
            return fallback;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new CommandUsageException($"{flag} needs a number from {min} to {max}, not '{s}'");
    }
}

/// <summary>A command line that cannot be run: one line on stderr, exit 2.</summary>
internal sealed class CommandUsageException(string message) : Exception(message);
