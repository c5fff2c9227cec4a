using System.CommandLine;
using System.CommandLine.Invocation;
using RemoteDx.Dicom;

namespace RemoteDx;

/// <summary>Where a command reads and writes: the console in the executable, string writers in tests.</summary>
public sealed record CommandIO(TextReader Stdin, TextWriter Stdout, TextWriter Stderr);

/// <summary>The remotedx command line: one System.CommandLine tree for every subcommand (help, validation, completion
/// via the [suggest] directive) and one place that turns outcomes into exit codes. Every failure is one line on stderr:
/// exit 2 for a usage error (the command line cannot be run as given), 1 for a runtime failure (missing or bad input,
/// an unreachable peer, no loadable model), 0 for success; 70 only for a bug of ours (EX_SOFTWARE), 130 when `score` is
/// interrupted.</summary>
public static class Cli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int InternalError = 70;

    /// <summary>Every command, the long-running and network ones included.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default, TextReader? stdin = null)
    {
        var io = new CommandIO(stdin ?? Console.In, stdout, stderr);
        // No response files: "@name" is a path like any other (a DICOM file may be called that).
        var result = CreateRoot(io).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Action is ParseErrorAction)
        {
            stderr.WriteLine(UsageLine(result, FirstError(result)));
            return UsageError;
        }
        // Signals stay with the commands: serve's host drains on SIGTERM and score resumes after Ctrl+C, so
        // System.CommandLine must not cancel or kill the process itself (ProcessTerminationTimeout = null).
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await result.InvokeAsync(invocation, ct).ConfigureAwait(false);
        }
        catch (CommandUsageException ex)
        {
            stderr.WriteLine(UsageLine(result, ex.Message));
            return UsageError;
        }
        catch (Exception ex) when (IsRuntimeFailure(ex))
        {
            stderr.WriteLine("remotedx: " + OneLine(ex.Message));
            return Failure;
        }
        catch (Exception ex)
        {
            // A bug of ours, not bad input: still one line and a distinct exit code (EX_SOFTWARE), never a stack dump.
            stderr.WriteLine($"remotedx: internal error ({ex.GetType().Name}): {OneLine(ex.Message)}");
            return InternalError;
        }
    }

    /// <summary>The same, for callers without an async context (tests of the file commands, whose actions are
    /// synchronous, so this never blocks on I/O of its own).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr).GetAwaiter().GetResult();

    /// <summary>The whole command tree.</summary>
    public static RootCommand CreateRoot(CommandIO io)
    {
        var root = new RootCommand("RemoteDx: DICOM triage service and tools. Exit codes: 0 success, 1 runtime failure, 2 usage error.")
        {
            FileCommands.Dump(io),
            FileCommands.Pixels(io),
            FileCommands.Render(io),
            FileCommands.Codecs(io),
            Hosting.ServeCommand.Create(io),
            SendCommand.Create(io),
            RelayCommand.Create(io),
            ScoreCommand.Create(io),
            ModelsCommand.Create(io),
            UsersCommand.Create(io),
            PhantomsCommand.Create(io),
        };
        return root;
    }

    private static bool IsRuntimeFailure(Exception ex) => ex is DicomException or IOException or UnauthorizedAccessException
        or InvalidDataException or NotSupportedException or ArgumentException or FormatException or OutOfMemoryException
        or OverflowException or InvalidOperationException or TimeoutException or System.Security.Cryptography.CryptographicException
        or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException or System.Data.Common.DbException;

    /// <summary>The error worth the one line: for `remotedx bogus`, "unrecognized 'bogus'" rather than "required
    /// command was not provided".</summary>
    private static string FirstError(ParseResult result)
    {
        if (result.UnmatchedTokens is [var token, ..])
        {
            foreach (var e in result.Errors)
            {
                if (e.Message.Contains($"'{token}'", StringComparison.Ordinal))
                {
                    return e.Message;
                }
            }
        }
        return result.Errors[0].Message;
    }

    /// <summary>"remotedx: COMMAND: what is wrong (see 'remotedx COMMAND --help')" — one line, naming the command.</summary>
    private static string UsageLine(ParseResult result, string message)
    {
        var names = new List<string>();
        for (var c = result.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (c.Command is not RootCommand)
            {
                names.Insert(0, c.Command.Name);
            }
        }
        var path = names.Count == 0 ? "remotedx" : "remotedx " + string.Join(' ', names);
        var prefix = names.Count == 0 ? "remotedx: " : $"remotedx: {string.Join(' ', names)}: ";
        return $"{prefix}{OneLine(message).TrimEnd()} (see '{path} --help')";
    }

    internal static string OneLine(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
