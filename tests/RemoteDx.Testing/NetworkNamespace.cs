namespace RemoteDx.Testing;

/// <summary>A network namespace of the test's own (<c>ip netns add</c>, needs root and iproute2) with only its loopback
/// up: children started in it (<see cref="Launcher"/>) talk to each other on that loopback, and nftables rules made
/// with <see cref="Nft"/> live in it, so the host's own firewall and interfaces are never touched. Disposing deletes
/// the namespace and every rule in it; end the children first.</summary>
public sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>The command prefix that runs a program inside: <c>ip netns exec NAME</c> (which execs the program, so
    /// the child's process id is the program's).</summary>
    public IReadOnlyList<string> Launcher => [Tool.Require("ip"), "netns", "exec", Name];

    public static NetworkNamespace Create(string prefix = "rdx")
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root")
        {
            throw new InvalidOperationException("this test needs root for a network namespace (ip netns)");
        }
        var ns = new NetworkNamespace(prefix + "_" + Guid.NewGuid().ToString("N")[..8]);
        Tool.RunOk("ip", "netns", "add", ns.Name);
        try
        {
            Tool.RunOk("ip", "-n", ns.Name, "link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>Runs <c>nft ARGS</c> inside the namespace; fails the test on a non-zero exit.</summary>
    public void Nft(params string[] args) => Tool.RunOk("ip", ["netns", "exec", Name, Tool.Require("nft"), .. args]);

    /// <summary>True once GET <paramref name="url"/> answers 200 from inside the namespace (Debian's python3, as the
    /// test process itself cannot reach the namespace's loopback).</summary>
    public bool HttpOk(Uri url)
    {
        var (code, _, _) = Tool.Run("ip", "netns", "exec", Name, Tool.Python, "-c",
            "import sys, urllib.request\ntry:\n sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=5).status == 200 else 1)\nexcept Exception:\n sys.exit(1)",
            url.ToString());
        return code == 0;
    }

    public void Dispose() => Tool.Run("ip", "netns", "del", Name);

    public override string ToString() => Name;
}
