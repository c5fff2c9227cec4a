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

    /// <summary>A folder deleted when the test assembly's run ends (<see cref="CleanupTestFramework"/>), else when the test
    /// process exits, else by the next run; returns its path.</summary>
    public static string ForTestRun(string prefix = "test")
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                DeleteTestRunFolders();
            };
        }
        var path = new TempDirectory(prefix).Path;
        DeleteAtExit.Add(path);
        return path;
    }

    /// <summary>Deletes a folder and everything in it; false when it could not (busy, or not ours to delete).</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => TryDelete(Path);

    /// <summary>Deletes every <see cref="ForTestRun"/> folder made so far.</summary>
    public static void DeleteTestRunFolders()
    {
        var busy = new List<string>();
        while (DeleteAtExit.TryTake(out var d))
        {
            if (!TryDelete(d))
            {
                busy.Add(d);
            }
        }
        // Still in use (a test's background work writing into it): ProcessExit, or failing that the next run, retries.
        foreach (var d in busy)
        {
            DeleteAtExit.Add(d);
        }
    }

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
