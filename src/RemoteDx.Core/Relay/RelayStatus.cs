// `remotedx relay status`: what the relay's data folder says, read without the relay running
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteDx.Core.Relay;

/// <summary>The forwarder's own state, rewritten after each batch (<c>&lt;data&gt;/relay-state.json</c>).</summary>
public sealed record ForwarderState(int InFlight, long Sent, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? LastDeliveryAt,
    DateTimeOffset? NextAttemptAt);

/// <summary>Queued, in flight, sent and failed counts with the last error, from the data folder.</summary>
public sealed record RelayStatus(int Queued, int InFlight, long Sent, int Failed, string? LastError, DateTimeOffset? LastErrorAt,
    IReadOnlyList<FailedInstance> FailedInstances)
{
    public static RelayStatus Read(string dataDirectory)
    {
        var data = Path.GetFullPath(dataDirectory);
        if (!Directory.Exists(Path.Combine(data, "queue")))
        {
            throw new DirectoryNotFoundException($"{data} is not a relay data folder (no queue/)");
        }
        var queued = Directory.GetFiles(Path.Combine(data, "queue"), "*.dcm").Length;
        var failedDir = Path.Combine(data, "failed");
        var failed = new List<FailedInstance>();
        if (Directory.Exists(failedDir))
        {
            foreach (var json in Directory.GetFiles(failedDir, "*.json").Order(StringComparer.Ordinal))
            {
                try
                {
                    failed.Add(JsonSerializer.Deserialize<FailedInstance>(File.ReadAllText(json), RelayJson.Options)!);
                }
                catch (JsonException)
                {
                    failed.Add(new FailedInstance(Path.GetFileName(json), null, "unreadable reason file", File.GetLastWriteTimeUtc(json)));
                }
            }
        }
        var sentLog = Path.Combine(data, "sent.log");
        long sent = File.Exists(sentLog) ? File.ReadLines(sentLog).LongCount() : 0;
        var state = ReadState(data);
        return new RelayStatus(queued, Math.Min(state?.InFlight ?? 0, queued), sent, failed.Count, state?.LastError, state?.LastErrorAt, failed);
    }

    internal static ForwarderState? ReadState(string data)
    {
        var path = Path.Combine(data, "relay-state.json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ForwarderState>(File.ReadAllText(path), RelayJson.Options) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }
}

internal static class RelayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
