using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteDx.Testing;

/// <summary>A fresh folder under the system temp directory that deletes itself: on <see cref="Dispose"/> for one made
/// with <c>new</c> (fixtures, <c>using</c>), or at the end of the test process for one made with
/// <see cref="ForTestRun"/> (the one-line scratch folders tests hand straight to a tool). Each name carries the test
/// process id, so what a killed or crashed run leaves behind is deleted by the next run on the machine.</summary>
public sealed partial class TempDirectory : IDisposable
{
    private static readonly ConcurrentBag<string> DeleteAtExit = [];
    private static readonly Lazy<bool> Swept = new(SweepDeadRuns);
    private static int _hooked;

    public TempDirectory(string prefix = "test")
    {
        _ = Swept.Value;
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(),
            $"rdx-{prefix}-p{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public static implicit operator string(TempDirectory d) => d.Path;

    public override string ToString() => Path;

    /// <summary>A folder deleted when the test process exits (or, if it is killed first, by the next run); returns
    /// its path.</summary>
    public static string ForTestRun(string prefix = "test")
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var d in DeleteAtExit)
                {
                    TryDelete(d);
                }
            };
        }
        var path = new TempDirectory(prefix).Path;
        DeleteAtExit.Add(path);
        return path;
    }

    /// <summary>Deletes a folder and everything in it; a folder that is gone or busy is left as it is.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public void Dispose() => TryDelete(Path);

    /// <summary>Deletes the folders of test processes that no longer run (the test host is sometimes ended before
    /// ProcessExit handlers run). Folders of live processes, other test projects running beside this one, stay.</summary>
    private static bool SweepDeadRuns()
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), "rdx-*"))
            {
                var m = OwnerPid().Match(System.IO.Path.GetFileName(dir));
                if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
                {
                    TryDelete(dir);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return true;
    }

    [GeneratedRegex(@"^rdx-[A-Za-z0-9_.-]*?-p(\d+)-[0-9a-f]{12}")]
    private static partial Regex OwnerPid();
}
