namespace RemoteDx;

/// <summary>The remotedx command line: one subcommand per verb.</summary>
public static class Cli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine("usage: remotedx <dump|pixels|render> ...");
            return 2;
        }
        stderr.WriteLine($"remotedx: unknown command '{args[0]}'");
        return 2;
    }
}
