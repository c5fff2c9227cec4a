using System.Globalization;
using Npgsql;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Store;

/// <summary>A throwaway PostgreSQL cluster from Debian's `postgresql` package: initdb'd in a temp folder as the
/// postgres user (initdb refuses root), listening on 127.0.0.1 at a free port with its socket in that folder, stopped
/// and deleted on dispose. Each test asks for a fresh database.</summary>
public sealed class PostgresCluster : IDisposable
{
    private readonly string _root;
    private readonly string _data;
    private readonly string _bin;
    private readonly string _options;
    private int _databases;

    public PostgresCluster()
    {
        _bin = FindBin();
        _root = Path.Combine(Path.GetTempPath(), "rdx-pg-" + Guid.NewGuid().ToString("N")[..10]);
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(Path.Combine(_root, "sock"));
        if (IsRoot)
        {
            Run(Tool.Require("chown"), ["-R", "postgres:postgres", _root], asPostgres: false);
        }
        Run(Path.Combine(_bin, "initdb"), ["-D", _data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-locale", "-E", "UTF8"], asPostgres: true);
        // A port free right now; PostgreSQL cannot bind port 0 and report it back.
        Port = FreePort();
        _options = string.Create(CultureInfo.InvariantCulture,
            $"-h 127.0.0.1 -p {Port} -k {Path.Combine(_root, "sock")} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
        Start();
    }

    /// <summary>Starts the server (again, after <see cref="Stop"/>) on the same port.</summary>
    public void Start() =>
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-o", _options, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start"], asPostgres: true);

    /// <summary>Stops the server (fast shutdown: open sessions are ended), as an outage or a restart would.</summary>
    public void Stop() => Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-m", "fast", "-w", "-t", "60", "stop"], asPostgres: true);

    public int Port { get; }

    public string ConnectionString(string database) => string.Create(CultureInfo.InvariantCulture,
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50;Timeout=30;Command Timeout=60");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "rdx_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];
        using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        conn.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        cmd.ExecuteNonQuery();
        return ConnectionString(name);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBin()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.GetDirectories(Tool.RequireDir(root))
            .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault();
        return bin ?? throw new InvalidOperationException($"PostgreSQL server binaries (initdb, pg_ctl) not found under {root}: {DebianPackages.InstallHint(root)}");
    }

    private static int FreePort() => LoopbackPort.Free();

    private static void Run(string exe, IEnumerable<string> args, bool asPostgres)
    {
        // initdb refuses to run as root: as root, run the server binaries as the postgres user.
        var (command, arguments) = asPostgres && IsRoot
            ? (Tool.Require("runuser"), (IEnumerable<string>)["-u", "postgres", "--", exe, .. args])
            : (exe, args);
        var (code, stdout, stderr) = Tool.Execute(command, arguments, env: null, TimeSpan.FromSeconds(120));
        if (code != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {code}: {stdout}{stderr}");
        }
    }

    public void Dispose()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-m", "immediate", "-w", "stop"], asPostgres: true);
        }
        catch (InvalidOperationException)
        {
        }
        TempDirectory.TryDelete(_root);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
