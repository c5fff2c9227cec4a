namespace RemoteDx.Interop.Tests.Support;

/// <summary>Runs `remotedx send` and parses its per-file lines.</summary>
public static class RemoteDxCli
{
    public sealed record SendResult(int ExitCode, string Output)
    {
        public IReadOnlyList<string> Ok => Lines("OK ");

        public IReadOnlyList<string> Failed => Lines("FAILED ");

        private List<string> Lines(string prefix) => Output.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => l[prefix.Length..].TrimEnd('\r'))
            .ToList();
    }

    public static ChildProcess StartSend(int port, IEnumerable<string> paths, string calledAe = "ANY-SCP") =>
        ChildProcess.Start(RemoteDxCommand.Path, ["send", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. paths, "--aet", "RDXTEST", "--called-aet", calledAe]);

    public static async Task<SendResult> SendAsync(int port, IEnumerable<string> paths, string calledAe = "ANY-SCP")
    {
        using var p = StartSend(port, paths, calledAe);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(120));
        return new SendResult(code, p.Output);
    }
}
