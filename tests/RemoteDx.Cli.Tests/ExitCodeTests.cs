using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests;

/// <summary>One parser, one set of exit codes: a usage error exits 2 with one line on stderr that names the command,
/// a runtime failure exits 1 with one line, --help exits 0 (docs/cli.md).</summary>
public sealed class ExitCodeTests
{
    public static TheoryData<string, string[]> UsageErrors() => new()
    {
        { "", [] },
        { "", ["no-such-command"] },
        { "dump", ["dump"] },
        { "dump", ["dump", "a.dcm", "--bogus"] },
        { "pixels", ["pixels", "a.dcm"] },
        { "pixels", ["pixels", "a.dcm", "out.raw", "--frame", "x"] },
        { "pixels", ["pixels", "a.dcm", "out.raw", "--frame", "-1"] },
        { "render", ["render", "a.dcm", "out.png", "--wc", "40"] },
        { "render", ["render", "a.dcm", "out.png", "--wc", "40", "--ww", "0"] },
        { "codecs", ["codecs", "extra"] },
        { "serve", ["serve", "--dicom-port", "many"] },
        { "send", ["send", "host"] },
        { "send", ["send", "host", "70000", "a.dcm"] },
        { "send", ["send", "host", "104", "a.dcm", "--cert", "c.pem"] },
        { "relay", ["relay", "--aet", "CLINIC_A", "--hub", "host", "70000"] },
        { "relay", ["relay", "--aet", "CLINIC_A", "--hub", "host"] },
        { "relay", ["relay", "--aet", "CLINIC_A"] },
        { "relay", ["relay", "--aet", "CLINIC_A", "--hub", "host", "104", "--compress", "jpegls"] },
        { "relay", ["relay", "--aet", "CLINIC_A", "--hub", "host", "104", "--compress", "zip"] },
        { "relay", ["relay", "--aet", "CLINIC_A", "--hub", "host", "104", "--max-rate", "1"] },
        { "relay status", ["relay", "status"] },
        { "score", ["score", "a.dcm"] },
        { "score", ["score", "--out", "o.csv"] },
        { "score", ["score", "a.dcm", "--out", "o.csv", "--workers", "0"] },
        { "models", ["models"] },
        { "models list", ["models", "list", "extra"] },
        { "models validate", ["models", "validate"] },
        { "models validate", ["models", "validate", "--labels", "l.csv", "--target-sensitivity", "2"] },
        { "users", ["users"] },
        { "users add", ["users", "add", "dr_lee", "--role", "radiologist"] },
        { "users add", ["users", "add", "dr_lee", "--role", "nurse", "--password-stdin"] },
        { "users add", ["users", "add", "no/slash", "--role", "admin", "--password-stdin"] },
        { "users add", ["users", "add", "clinic_a", "--role", "clinic", "--password-stdin"] },
        { "users add", ["users", "add", "dr_lee", "--role", "admin", "--clinic", "CLINIC_A", "--password-stdin"] },
        { "users passwd", ["users", "passwd", "dr_lee"] },
        { "users list", ["users", "list", "--bogus"] },
        { "phantoms", ["phantoms", "--out", "x"] },
        { "phantoms", ["phantoms", "--count", "3"] },
        { "phantoms", ["phantoms", "--count", "3", "--samples", "--out", "x"] },
        { "phantoms", ["phantoms", "--count", "0", "--out", "x"] },
        { "phantoms", ["phantoms", "--count", "3", "--out", "x", "--encoding", "jpeg2000"] },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task A_usage_error_exits_2_with_one_line_on_stderr_naming_the_command(string command, string[] args)
    {
        var (code, stdout, stderr) = await RemoteDxCommand.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(command.Length == 0 ? "remotedx: " : $"remotedx: {command}: ", line, StringComparison.Ordinal);
        Assert.EndsWith($"(see '{("remotedx " + command).TrimEnd()} --help')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_says_what_is_wrong()
    {
        var (_, _, stderr) = await RemoteDxCommand.RunAsync("no-such-command");
        Assert.Contains("'no-such-command'", stderr, StringComparison.Ordinal);
        (_, _, stderr) = await RemoteDxCommand.RunAsync("render", "a.dcm", "out.png", "--wc", "40");
        Assert.Contains("--wc and --ww go together", stderr, StringComparison.Ordinal);
        (_, _, stderr) = await RemoteDxCommand.RunAsync("users", "add", "dr_lee", "--role", "radiologist");
        Assert.Contains("--password-stdin is required", stderr, StringComparison.Ordinal);
        (_, _, stderr) = await RemoteDxCommand.RunAsync("phantoms", "--count", "3");
        Assert.Contains("'--out' is required", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string[]> RuntimeFailures()
    {
        var dir = TempDirectory.ForTestRun();
        var missing = Path.Combine(dir, "missing.dcm");
        var notDicom = Path.Combine(dir, "not-dicom.dcm");
        File.WriteAllText(notDicom, "plain text, not DICOM");
        var blocker = Path.Combine(dir, "a-file");
        File.WriteAllText(blocker, "");
        return new()
        {
            { ["dump", missing] },
            { ["dump", notDicom, "--json"] },
            { ["pixels", missing, Path.Combine(dir, "out.raw")] },
            { ["render", missing, Path.Combine(dir, "out.png")] },
            { ["send", "127.0.0.1", "104", missing] },
            { ["relay", "status", "--data", Path.Combine(dir, "no-relay-here")] },
            { ["models", "validate", "--labels", Path.Combine(dir, "missing.csv")] },
            { ["users", "list", "--config", Path.Combine(dir, "missing.json"), "--data", dir] },
            { ["phantoms", "--count", "1", "--size", "64", "--out", Path.Combine(blocker, "sub")] },
        };
    }

    [Theory]
    [MemberData(nameof(RuntimeFailures))]
    public async Task A_runtime_failure_exits_1_with_one_line_on_stderr(string[] args)
    {
        var (code, _, stderr) = await RemoteDxCommand.RunAsync(args);
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("remotedx: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_argument_starting_with_at_is_a_path_not_a_response_file()
    {
        var dir = TempDirectory.ForTestRun();
        File.WriteAllText(Path.Combine(dir, "args"), "codecs");
        var (code, _, stderr) = await RemoteDxCommand.RunAsync("dump", "@" + Path.Combine(dir, "args"));
        Assert.Equal(1, code);
        Assert.Contains("@", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_passwd_of_an_unknown_user_exits_1()
    {
        var dir = TempDirectory.ForTestRun();
        var (code, _, stderr) = await RunWithStdinAsync("a long passphrase\n", "users", "passwd", "nobody", "--password-stdin", "--data", dir);
        Assert.Equal(1, code);
        Assert.Equal("remotedx: no user 'nobody'", stderr.Trim());
    }

    [Fact]
    public async Task Users_add_then_list_then_a_second_add_of_the_same_name_exits_1()
    {
        var dir = TempDirectory.ForTestRun();
        var (code, stdout, stderr) = await RunWithStdinAsync("a long passphrase\n",
            "users", "add", "clinic_a", "--role", "clinic", "--clinic", "CLINIC_A", "--clinic", "CLINIC_B", "--password-stdin", "--data", dir);
        Assert.True(code == 0, stderr);
        Assert.Equal("user clinic_a added (clinic: CLINIC_A,CLINIC_B)", stdout.Trim());
        (code, stdout, _) = await RemoteDxCommand.RunAsync("users", "list", "--data", dir);
        Assert.Equal(0, code);
        Assert.Equal("clinic_a\tclinic\tCLINIC_A,CLINIC_B", stdout.Trim());
        (code, _, stderr) = await RunWithStdinAsync("a long passphrase\n", "users", "add", "clinic_a", "--role", "admin", "--password-stdin", "--data", dir);
        Assert.Equal(1, code);
        Assert.Contains("exists", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RunWithStdinAsync("short\n", "users", "add", "dr_lee", "--role", "admin", "--password-stdin", "--data", dir);
        Assert.Equal(1, code);
        Assert.Contains("at least 8 characters", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string[]> HelpRequests() => new()
    {
        { ["--help"] },
        { ["dump", "--help"] },
        { ["pixels", "--help"] },
        { ["render", "-h"] },
        { ["codecs", "--help"] },
        { ["serve", "--help"] },
        { ["send", "--help"] },
        { ["relay", "--help"] },
        { ["relay", "status", "--help"] },
        { ["score", "--help"] },
        { ["models", "--help"] },
        { ["models", "list", "--help"] },
        { ["models", "validate", "--help"] },
        { ["users", "--help"] },
        { ["users", "add", "--help"] },
        { ["users", "passwd", "--help"] },
        { ["users", "list", "--help"] },
        { ["phantoms", "--help"] },
    };

    [Theory]
    [MemberData(nameof(HelpRequests))]
    public async Task Help_exits_0_and_lists_the_options_on_stdout(string[] args)
    {
        var (code, stdout, stderr) = await RemoteDxCommand.RunAsync(args);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains(args.Length == 1 ? "remotedx [command]" : "remotedx " + string.Join(' ', args[..^1]), stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_lists_the_documented_options()
    {
        var (_, stdout, _) = await RemoteDxCommand.RunAsync("serve", "--help");
        foreach (var option in new[] { "--config", "--dicom-port", "--tls-port", "--aet", "--http-url", "--data" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--RemoteDx:Dicom:AeTitle", "THIS_AE_TITLE_IS_TOO_LONG")]
    [InlineData("--RemoteDx:Dicom:AeTitle=THIS_AE_TITLE_IS_TOO_LONG")]
    [InlineData("--aet", "THIS_AE_TITLE_IS_TOO_LONG")]
    public async Task Serve_passes_configuration_keys_through_to_the_configuration(params string[] setting)
    {
        // Invalid on purpose: the validation message proves the key reached RemoteDx:Dicom:AeTitle, and serve stops there.
        var (code, _, stderr) = await RemoteDxCommand.RunAsync(["serve", "--data", TempDirectory.ForTestRun(), .. setting]);
        Assert.Equal(2, code);
        Assert.Equal("remotedx: invalid configuration: RemoteDx:Dicom:AeTitle 'THIS_AE_TITLE_IS_TOO_LONG' must be 1-16 printable characters without backslash",
            stderr.Trim());
    }

    [Fact]
    public async Task Serve_refuses_a_negative_free_space_reserve_for_the_database_volume()
    {
        var (code, _, stderr) = await RemoteDxCommand.RunAsync(["serve", "--data", TempDirectory.ForTestRun(), "--RemoteDx:Database:FreeSpaceReserveMB=-1"]);
        Assert.Equal(2, code);
        Assert.Equal("remotedx: invalid configuration: RemoteDx:Database:FreeSpaceReserveMB must not be negative", stderr.Trim());
    }

    [Fact]
    public async Task Completion_suggests_subcommands()
    {
        var (code, stdout, _) = await RemoteDxCommand.RunAsync("[suggest:7]", "users a");
        Assert.Equal(0, code);
        Assert.Contains("add", stdout.Split('\n', StringSplitOptions.TrimEntries));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunWithStdinAsync(string input, params string[] args)
    {
        var (code, stdout, stderr) = await Task.Run(() => RemoteDxCommand.Run(args, input));
        return (code, stdout, stderr);
    }
}
