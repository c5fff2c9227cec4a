using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx;

/// <summary>`remotedx users add|passwd|list`: accounts for the web viewer, in the store `serve` uses (same
/// --config / environment / --data resolution). Passwords are read from standard input and hashed with ASP.NET Core's
/// PasswordHasher; there is no default account.</summary>
public static class UsersCommand
{
    public const string Usage = "usage: remotedx users add NAME --role admin|radiologist|clinic [--clinic AET]... --password-stdin [--data DIR] [--config FILE]\n" +
                                "       remotedx users passwd NAME --password-stdin [--data DIR] [--config FILE]\n" +
                                "       remotedx users list [--data DIR] [--config FILE]";

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        try
        {
            return await RunCoreAsync(args, stdin, stdout, ct).ConfigureAwait(false);
        }
        catch (UsageError ex)
        {
            stderr.WriteLine("remotedx: " + ex.Message);
            return 2;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidOperationException or System.Data.Common.DbException)
        {
            stderr.WriteLine("remotedx: " + ex.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    private static async Task<int> RunCoreAsync(string[] args, TextReader stdin, TextWriter stdout, CancellationToken ct)
    {
        if (args.Length == 0 || args[0] is not ("add" or "passwd" or "list"))
        {
            throw new UsageError(Usage);
        }
        var verb = args[0];
        var positional = new List<string>();
        var clinics = new List<string>();
        string? role = null, data = null, config = null;
        var passwordStdin = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--role": role = Value(args, ref i); break;
                case "--clinic": clinics.Add(Value(args, ref i)); break;
                case "--data": data = Value(args, ref i); break;
                case "--config": config = Value(args, ref i); break;
                case "--password-stdin": passwordStdin = true; break;
                case var a when a.StartsWith("--", StringComparison.Ordinal): throw new UsageError($"unknown option '{a}'\n{Usage}");
                default: positional.Add(args[i]); break;
            }
        }
        var options = LoadOptions(config, data);
        await using var store = TriageStoreFactory.Create(options.Database.Provider, options.Database.ConnectionString,
            Path.GetFullPath(options.DataDirectory), new TriageStoreOptions());
        await store.MigrateAsync(ct).ConfigureAwait(false);
        if (verb == "list")
        {
            foreach (var u in await store.UsersAsync(ct).ConfigureAwait(false))
            {
                var locked = u.LockedUntil is { } l && l > DateTimeOffset.UtcNow ? "  locked" : "";
                stdout.WriteLine($"{u.Username}\t{u.Role}\t{string.Join(',', u.Clinics)}{locked}");
            }
            return 0;
        }
        if (positional.Count != 1 || !ValidName(positional[0]))
        {
            throw new UsageError($"one user NAME (1-64 letters, digits, . _ - @) is required\n{Usage}");
        }
        if (!passwordStdin)
        {
            throw new UsageError("--password-stdin is required: the password is read from standard input, never from the command line");
        }
        var name = positional[0];
        var password = ReadPassword(stdin);
        var hasher = new PasswordHasher<string>();
        if (verb == "passwd")
        {
            if (!await store.SetPasswordAsync(name, hasher.HashPassword(name, password), ct).ConfigureAwait(false))
            {
                throw new ArgumentException($"no user '{name}'");
            }
            stdout.WriteLine($"password of {name} changed");
            return 0;
        }
        if (role is null || !Roles.IsValid(role))
        {
            throw new UsageError("--role admin|radiologist|clinic is required");
        }
        if (role == Roles.Clinic && clinics.Count == 0)
        {
            throw new UsageError("a clinic user needs at least one --clinic AET (the calling AE title whose studies it may see)");
        }
        if (role != Roles.Clinic && clinics.Count > 0)
        {
            throw new UsageError("--clinic is only for role clinic");
        }
        foreach (var c in clinics)
        {
            if (c.Length is 0 or > 16 || c.Any(ch => ch < 0x20 || ch > 0x7E || ch == '\\'))
            {
                throw new UsageError($"--clinic '{c}' is not an AE title (1-16 printable characters without backslash)");
            }
        }
        var added = await store.AddUserAsync(new UserRecord(name, hasher.HashPassword(name, password), role, clinics, 0, null, DateTimeOffset.UtcNow), ct)
            .ConfigureAwait(false);
        if (!added)
        {
            throw new ArgumentException($"user '{name}' exists (use 'remotedx users passwd')");
        }
        stdout.WriteLine($"user {name} added ({role}{(clinics.Count > 0 ? ": " + string.Join(',', clinics) : "")})");
        return 0;
    }

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length ? args[++i] : throw new UsageError($"{args[i]} needs a value");

    private static bool ValidName(string s) => s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@');

    private static string ReadPassword(TextReader stdin)
    {
        var line = stdin.ReadLine() ?? "";
        if (line.Length < 8)
        {
            throw new ArgumentException("the password (first line of standard input) must have at least 8 characters");
        }
        return line;
    }

    /// <summary>The options `serve` would see: appsettings.json, --config FILE, RemoteDx__* environment, then --data.</summary>
    private static RemoteDxOptions LoadOptions(string? config, string? data)
    {
        var b = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (config is not null)
        {
            if (!File.Exists(config))
            {
                throw new ArgumentException($"config file '{config}' not found");
            }
            b.AddJsonFile(Path.GetFullPath(config), optional: false);
        }
        b.AddEnvironmentVariables();
        if (data is not null)
        {
            b.AddInMemoryCollection([new KeyValuePair<string, string?>("RemoteDx:DataDirectory", data)]);
        }
        var options = new RemoteDxOptions();
        b.Build().GetSection(RemoteDxOptions.Section).Bind(options);
        return options;
    }

    private sealed class UsageError(string message) : Exception(message);
}
