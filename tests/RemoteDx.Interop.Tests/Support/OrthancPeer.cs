using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>Debian's Orthanc with a throwaway configuration: storage and index in a temp folder, HTTP and DICOM on
/// free loopback ports, no plugins, no authentication (loopback only), one modality: RemoteDx.</summary>
public sealed class OrthancPeer : IAsyncDisposable
{
    public const string AeTitle = "ORTHANC";

    private readonly ChildProcess _process;

    private OrthancPeer(string root, int httpPort, int dicomPort, ChildProcess process)
    {
        Root = root;
        HttpPort = httpPort;
        DicomPort = dicomPort;
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Root { get; }

    public int HttpPort { get; }

    public int DicomPort { get; }

    public HttpClient Http { get; }

    public string Output => _process.Output;

    /// <summary>Writes the configuration, starts Orthanc and waits for GET /system.</summary>
    public static async Task<OrthancPeer> StartAsync(int remoteDxPort)
    {
        var exe = Tool.Require("Orthanc");
        var root = TempDirectory.ForTestRun("orthanc");
        var storage = Path.Combine(root, "storage");
        Directory.CreateDirectory(storage);
        var httpPort = LoopbackPort.Free();
        var dicomPort = LoopbackPort.Free();
        var config = new JsonObject
        {
            ["Name"] = "RemoteDxInterop",
            ["StorageDirectory"] = storage,
            ["IndexDirectory"] = storage,
            ["StorageCompression"] = false,
            ["HttpServerEnabled"] = true,
            ["HttpPort"] = httpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomServerEnabled"] = true,
            ["DicomAet"] = AeTitle,
            ["DicomPort"] = dicomPort,
            ["DicomCheckCalledAet"] = false,
            ["DicomAlwaysAllowStore"] = true,
            ["DicomModalities"] = new JsonObject { ["remotedx"] = new JsonArray("REMOTEDX", "127.0.0.1", remoteDxPort) },
            ["DicomScuTimeout"] = 30,
            ["Plugins"] = new JsonArray(),
            ["SaveJobs"] = false,
            ["HttpDescribeErrors"] = true,
        };
        var configPath = Path.Combine(root, "orthanc.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var process = ChildProcess.Start(exe, [configPath], workingDirectory: root);
        var peer = new OrthancPeer(root, httpPort, dicomPort, process);
        try
        {
            await peer.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
        return peer;
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var r = await Http.GetAsync(new Uri("system", UriKind.Relative));
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Orthanc exited with {_process.ExitCode}:\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Orthanc's REST API did not answer in {timeout.TotalSeconds:0} s:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>POST /instances: uploads a file, returns Orthanc's instance id.</summary>
    public async Task<string> UploadAsync(string path)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        using var r = await Http.PostAsync(new Uri("instances", UriKind.Relative), content);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"Orthanc refused {path}: {(int)r.StatusCode} {body}");
        return JsonNode.Parse(body)!["ID"]!.GetValue<string>();
    }

    /// <summary>POST /tools/lookup: the instance id for a SOP Instance UID, or null.</summary>
    public async Task<string?> FindInstanceAsync(string sopInstanceUid)
    {
        using var content = new StringContent(sopInstanceUid);
        using var r = await Http.PostAsync(new Uri("tools/lookup", UriKind.Relative), content);
        r.EnsureSuccessStatusCode();
        var found = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray();
        return found.FirstOrDefault(n => n!["Type"]!.GetValue<string>() == "Instance")?["ID"]?.GetValue<string>();
    }

    public async Task<byte[]> GetFileAsync(string instanceId) =>
        await Http.GetByteArrayAsync(new Uri($"instances/{instanceId}/file", UriKind.Relative));

    /// <summary>POST /modalities/{name}/store, synchronously: Orthanc's C-STORE SCU sends the instances.</summary>
    public async Task<JsonNode> StoreToModalityAsync(string modality, IReadOnlyList<string> instanceIds)
    {
        var request = new JsonObject
        {
            ["Resources"] = new JsonArray(instanceIds.Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()),
            ["Synchronous"] = true,
        };
        using var r = await Http.PostAsJsonAsync(new Uri($"modalities/{modality}/store", UriKind.Relative), request);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"Orthanc's C-STORE to {modality} failed: {(int)r.StatusCode} {body}\n{Output}");
        return JsonNode.Parse(body)!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Dispose();
        await Task.Yield();
        TempDirectory.TryDelete(Root);
    }
}
