using System.Reflection;
using Microsoft.Extensions.Logging;

namespace RemoteDx.Cli.Tests;

/// <summary>Every [LoggerMessage] event id is unique across RemoteDx, so an id names one message in a log search.
/// Ranges, one per area:
///   1000–1099 DICOM network (RemoteDx.Dicom/Network)      1100–1199 ingest (listener, archive, C-STORE handling)
///   2000–2099 store start-up and migrations               2100–2199 worklist (watcher, SSE)
///   3000–3099 inference (model registry, ONNX Runtime)    3100–3199 scoring jobs (job processor, scoring workers)
///   4000–4099 notifications and delivery (webhook, outbox) 5000–5999 web (HTTP API, sessions, auth, metrics)
///   6000–6999 command line (subcommands, relay)</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void No_two_LoggerMessage_methods_of_any_RemoteDx_assembly_share_an_event_id()
    {
        var assemblies = RemoteDxAssemblies();
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "RemoteDx.Dicom", "RemoteDx.Core", "remotedx" },
            assemblies.Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal));

        var messages = new List<(int Id, string Method)>();
        foreach (var assembly in assemblies)
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static
                    | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } a)
                    {
                        messages.Add((a.EventId, $"{assembly.GetName().Name}: {type.FullName}.{method.Name}"));
                    }
                }
            }
        }

        Assert.True(messages.Count >= 20, $"only {messages.Count} [LoggerMessage] methods found; is the attribute still read?");
        var clashes = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        Assert.True(clashes.Count == 0, "event ids used more than once:\n" + string.Join("\n", clashes));
    }

    /// <summary>The RemoteDx assemblies next to the test (the executable's project reference copies them all), so a new
    /// RemoteDx project is checked without editing this test.</summary>
    private static List<Assembly> RemoteDxAssemblies()
    {
        var result = new List<Assembly>();
        foreach (var path in Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var ours = name == "remotedx" || (name.StartsWith("RemoteDx.", StringComparison.Ordinal) && !name.EndsWith(".Tests", StringComparison.Ordinal));
            if (ours)
            {
                result.Add(Assembly.Load(new AssemblyName(name)));
            }
        }
        return result;
    }
}
