using System.CommandLine;
using Microsoft.Extensions.Configuration;
using RemoteDx.Core.Security;
using RemoteDx.Core.Store;
using RemoteDx.Hosting;

namespace RemoteDx;

/// <summary>`remotedx users add|passwd|list`: accounts for the web viewer, in the store `serve` uses (same
/// --config / environment / --data resolution). Passwords are read from standard input and hashed by
/// <see cref="PasswordHasher"/>; there is no default account.</summary>
public static class UsersCommand
{
    public static Command Create(CommandIO io)
    {
        var command = new Command("users", "Web viewer accounts, in the database serve uses")
        {
            Add(io),
            Passwd(io),
            List(io),
        };
        return command;
    }

    private static Command Add(CommandIO io)
    {
        var (name, passwordStdin, data, config) = (Name(), PasswordStdin(), Data(), Config());
        var role = new Option<string>("--role") { Required = true, HelpName = "admin|radiologist|clinic", Description = "what the account may do" };
        role.AcceptOnlyFromAmong(Roles.Admin, Roles.Radiologist, Roles.Clinic);
        var clinics = new Option<string[]>("--clinic")
        {
            HelpName = "CLINIC",
            Description = "a clinic whose studies a clinic user may see: the allow-list's Clinic name (may contain spaces, up to " +
                $"{AccountRules.MaxClinicLength} characters; quote it) or the calling AE title of an unmapped sender (repeatable; role clinic only)",
            // One clinic per --clinic, so `--clinic A NAME` leaves NAME alone.
            AllowMultipleArgumentsPerToken = false,
        };
        clinics.Validators.Add(r =>
        {
            foreach (var t in r.Tokens)
            {
                if (AccountRules.ClinicError(t.Value) is { } error)
                {
                    r.AddError($"--clinic '{t.Value}': {error}");
                }
            }
        });
        var command = new Command("add", "Create an account; the password is the first line of standard input")
        {
            name, role, clinics, passwordStdin, data, config,
        };
        RequirePasswordStdin(command, passwordStdin);
        command.Validators.Add(r =>
        {
            // Tokens, not values: a validator runs even when --role itself failed to parse.
            if (r.GetResult(role) is not { Tokens: [.., var given] })
            {
                return;
            }
            var isClinic = given.Value == Roles.Clinic;
            var hasClinics = r.GetResult(clinics) is { Tokens.Count: > 0 };
            if (isClinic && !hasClinics)
            {
                r.AddError("a clinic user needs at least one --clinic CLINIC (the clinic whose studies it may see)");
            }
            else if (!isClinic && hasClinics)
            {
                r.AddError("--clinic is only for role clinic");
            }
        });
        command.SetAction(async (r, ct) =>
        {
            var user = r.GetRequiredValue(name);
            var userRole = r.GetRequiredValue(role);
            var userClinics = r.GetValue(clinics) ?? [];
            var hash = PasswordHasher.Hash(ReadPassword(io.Stdin));
            await using var store = await OpenStoreAsync(r.GetValue(config), r.GetValue(data), ct).ConfigureAwait(false);
            var added = await store.AddUserAsync(new UserRecord(user, hash, userRole, userClinics, 0, null, DateTimeOffset.UtcNow), ct).ConfigureAwait(false);
            if (!added)
            {
                throw new InvalidOperationException($"user '{user}' exists (use 'remotedx users passwd')");
            }
            io.Stdout.WriteLine($"user {user} added ({userRole}{(userClinics.Length > 0 ? ": " + string.Join(',', userClinics) : "")})");
            return Cli.Success;
        });
        return command;
    }

    private static Command Passwd(CommandIO io)
    {
        var (name, passwordStdin, data, config) = (Name(), PasswordStdin(), Data(), Config());
        var command = new Command("passwd", "Set a new password (first line of standard input) and end the user's sessions")
        {
            name, passwordStdin, data, config,
        };
        RequirePasswordStdin(command, passwordStdin);
        command.SetAction(async (r, ct) =>
        {
            var user = r.GetRequiredValue(name);
            var hash = PasswordHasher.Hash(ReadPassword(io.Stdin));
            await using var store = await OpenStoreAsync(r.GetValue(config), r.GetValue(data), ct).ConfigureAwait(false);
            if (!await store.SetPasswordAsync(user, hash, ct).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"no user '{user}'");
            }
            io.Stdout.WriteLine($"password of {user} changed");
            return Cli.Success;
        });
        return command;
    }

    private static Command List(CommandIO io)
    {
        var (data, config) = (Data(), Config());
        var command = new Command("list", "Accounts: name, role, clinics, and whether locked") { data, config };
        command.SetAction(async (r, ct) =>
        {
            await using var store = await OpenStoreAsync(r.GetValue(config), r.GetValue(data), ct).ConfigureAwait(false);
            foreach (var u in await store.UsersAsync(ct).ConfigureAwait(false))
            {
                var locked = u.LockedUntil is { } l && l > DateTimeOffset.UtcNow ? "  locked" : "";
                io.Stdout.WriteLine($"{u.Username}\t{u.Role}\t{string.Join(',', u.Clinics)}{locked}");
            }
            return Cli.Success;
        });
        return command;
    }

    private static Argument<string> Name()
    {
        var name = new Argument<string>("NAME") { Description = "user name: 1-64 letters, digits, . _ - @" };
        name.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !AccountRules.IsValidUsername(r.Tokens[0].Value))
            {
                r.AddError($"'{r.Tokens[0].Value}' is not a user name (1-64 letters, digits, . _ - @)");
            }
        });
        return name;
    }

    /// <summary>Required so that nobody types a password on a command line (shell history, ps).</summary>
    private static Option<bool> PasswordStdin() =>
        new("--password-stdin") { Description = "read the password from the first line of standard input (required)" };

    private static void RequirePasswordStdin(Command command, Option<bool> passwordStdin) => command.Validators.Add(r =>
    {
        if (r.GetResult(passwordStdin) is not { Implicit: false })
        {
            r.AddError("--password-stdin is required: the password is read from standard input, never from the command line");
        }
    });

    private static Option<string> Data() => new("--data") { HelpName = "DIR", Description = "data folder (as serve --data)" };

    private static Option<string> Config() => new("--config") { HelpName = "FILE", Description = "configuration file (as serve --config)" };

    private static string ReadPassword(TextReader stdin)
    {
        var line = stdin.ReadLine() ?? "";
        if (line.Length < PasswordHasher.MinimumLength)
        {
            throw new InvalidOperationException($"the password (first line of standard input) must have at least {PasswordHasher.MinimumLength} characters");
        }
        return line;
    }

    private static async Task<ITriageStore> OpenStoreAsync(string? config, string? data, CancellationToken ct)
    {
        var options = LoadOptions(config, data);
        var store = TriageStoreFactory.Create(options.Database.Provider, options.Database.ConnectionString,
            Path.GetFullPath(options.DataDirectory), new TriageStoreOptions());
        try
        {
            await store.MigrateAsync(ct).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The options `serve` would see: appsettings.json, --config FILE, RemoteDx__* environment, then --data.</summary>
    private static RemoteDxOptions LoadOptions(string? config, string? data)
    {
        var b = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (config is not null)
        {
            if (!File.Exists(config))
            {
                throw new FileNotFoundException($"config file '{config}' not found", config);
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
}
