using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>Keeps a copy of every stored data set (by SOP Instance UID) and what the handler was told.</summary>
internal sealed class RecordingStoreHandler(string tempDirectory, string directory) : IStoreHandler
{
    /// <summary>Where the server is told to stream data sets (and whether with a Part 10 header).</summary>
    public StoreDestination Destination { get; set; } = new(tempDirectory, WritePart10Header: false);

    /// <summary>Thrown from <see cref="PrepareStore"/> when set.</summary>
    public Exception? PrepareFailure { get; set; }

    public ConcurrentQueue<StoreCommand> Prepared { get; } = new();

    public StoreDestination PrepareStore(AssociationInfo association, StoreCommand command)
    {
        Prepared.Enqueue(command);
        return PrepareFailure is { } failure ? throw failure : Destination;
    }

    /// <summary>In arrival order (instances may share a SOP Instance UID).</summary>
    public ConcurrentQueue<(StoreRequest Request, string Copy)> Stored { get; } = new();

    public int Calls;

    public Func<StoreRequest, DimseStatus>? Answer { get; set; }

    /// <summary>A copy of <see cref="StoreRequest.Head"/> as the handler saw it, in arrival order.</summary>
    public ConcurrentQueue<byte[]> Heads { get; } = new();

    public ValueTask<DimseStatus> StoreAsync(AssociationInfo association, StoreRequest request, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref Calls);
        var copy = Path.Combine(directory, n + ".raw");
        File.Copy(request.DatasetPath, copy, overwrite: true);
        Heads.Enqueue(request.Head.ToArray());
        Stored.Enqueue((request, copy));
        return ValueTask.FromResult(Answer?.Invoke(request) ?? DimseStatus.Success);
    }
}

internal sealed class RecordingObserver : IAssociationObserver
{
    private readonly ConcurrentQueue<AssociationRecord> _records = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyCollection<AssociationRecord> Records => _records;

    public void AssociationEnded(AssociationRecord record)
    {
        _records.Enqueue(record);
        _signal.Release();
    }

    public async Task<AssociationRecord> NextAsync(int seconds = 20)
    {
        if (!await _signal.WaitAsync(TimeSpan.FromSeconds(seconds)))
        {
            throw new TimeoutException("no association ended in time");
        }
        // Records arrive in order; take the oldest not yet returned.
        return _records.ElementAt(_taken++);
    }

    private int _taken;
}

internal sealed class TestServer : IAsyncDisposable
{
    public required DicomServer Server { get; init; }
    public required RecordingStoreHandler Handler { get; init; }
    public required RecordingObserver Observer { get; init; }
    public required string TempDir { get; init; }
    public required string StoreDir { get; init; }
    public int Port => Server.LocalEndPoint!.Port;

    public static async Task<TestServer> StartAsync(Action<DicomServerOptions>? configure = null)
    {
        var root = TempDirectory.ForTestRun();
        var tempDir = Path.Combine(root, "incoming");
        var storeDir = Path.Combine(root, "stored");
        Directory.CreateDirectory(storeDir);
        var options = new DicomServerOptions
        {
            Port = 0,
            TlsPort = null,
            BindAddress = IPAddress.Loopback,
        };
        configure?.Invoke(options);
        var handler = new RecordingStoreHandler(tempDir, storeDir);
        var observer = new RecordingObserver();
        var server = new DicomServer(options, handler, observer);
        await server.StartAsync();
        return new TestServer { Server = server, Handler = handler, Observer = observer, TempDir = tempDir, StoreDir = storeDir };
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

internal static class Net
{
    public static string TestFile(string name) => Path.Combine(Tool.PydicomTestFiles, name);

    public static int FreePort() => LoopbackPort.Free();

    /// <summary>Runs a DCMTK tool to completion, asynchronously (the server under test runs in this process).</summary>
    public static async Task<(int Code, string Output)> RunAsync(string tool, params string[] args)
    {
        using var p = Start(tool, args);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(120));
        return (code, p.Output);
    }

    public static async Task RunOkAsync(string tool, params string[] args)
    {
        var (code, output) = await RunAsync(tool, args);
        Assert.True(code == 0, $"{tool} {string.Join(' ', args)} exited {code}:\n{output}");
    }

    /// <summary>Starts a tool found through the tool → package map (ChildProcess sets TCP_NODELAY for DCMTK).</summary>
    public static ChildProcess Start(string tool, params string[] args) => ChildProcess.Start(Tool.Require(tool), args);

    public static async Task WaitForPortAsync(int port, ChildProcess? process = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"process exited {process.ExitCode}: {process.Output}");
            }
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"nothing listens on port {port}");
    }

    /// <summary>Element by element, recursing into sequences and fragments: same tags, same values. Sequence and item
    /// length encoding (defined/undefined) may differ, as may the retired group lengths and trailing padding.</summary>
    public static void AssertSameDataset(Dataset expected, Dataset actual, TransferSyntax syntax) =>
        Compare(expected, actual, syntax.Name + ": ");

    private static void Compare(Dataset expected, Dataset actual, string path)
    {
        static List<DicomElement> Significant(Dataset ds) =>
            ds.Where(e => !e.Tag.IsGroupLength && e.Tag != new Tag(0xFFFC, 0xFFFC)).OrderBy(e => e.Tag).ToList();
        var e = Significant(expected);
        var a = Significant(actual);
        Assert.True(e.Select(x => x.Tag).SequenceEqual(a.Select(x => x.Tag)),
            $"{path}tags differ: missing [{string.Join(' ', e.Select(x => x.Tag).Except(a.Select(x => x.Tag)))}], extra [{string.Join(' ', a.Select(x => x.Tag).Except(e.Select(x => x.Tag)))}]");
        for (var i = 0; i < e.Count; i++)
        {
            var where = path + e[i].Tag;
            switch (e[i])
            {
                case DicomSequence sq:
                    var other = Assert.IsType<DicomSequence>(a[i]);
                    Assert.True(sq.Items.Count == other.Items.Count, $"{where}: {sq.Items.Count} vs {other.Items.Count} items");
                    for (var j = 0; j < sq.Items.Count; j++)
                    {
                        Compare(sq.Items[j], other.Items[j], $"{where}[{j}].");
                    }
                    break;
                case DicomFragments fr:
                    var otherFr = Assert.IsType<DicomFragments>(a[i]);
                    Assert.True(fr.Fragments.Count == otherFr.Fragments.Count, $"{where}: fragment count differs");
                    for (var j = 0; j < fr.Fragments.Count; j++)
                    {
                        Assert.True(fr.Fragments[j].Span.SequenceEqual(otherFr.Fragments[j].Span), $"{where}: fragment {j} differs");
                    }
                    break;
                default:
                    Assert.True(e[i].Buffer.Span.SequenceEqual(a[i].Buffer.Span), $"{where}: value differs");
                    break;
            }
        }
    }

    public static Dataset ReadRaw(string path, TransferSyntax ts)
    {
        using var fs = File.OpenRead(path);
        return DicomReader.ReadDataset(fs, ts);
    }
}
