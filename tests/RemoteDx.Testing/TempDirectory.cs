using System.Collections.Concurrent;

namespace RemoteDx.Testing;

/// <summary>A fresh folder under the system temp directory that deletes itself: on <see cref="Dispose"/> for one
/// made with <c>new</c>, or when the test process exits for one made with <see cref="ForTestRun"/> (the one-line
/// scratch folders tests pass straight to a tool).</summary>
public sealed class TempDirectory : IDisposable
{
    private static readonly ConcurrentBag<string> DeleteAtExit = [];
    private static int _hooked;

    public TempDirectory(string prefix = "test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rdx-" + prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public static implicit operator string(TempDirectory d) => d.Path;

    public override string ToString() => Path;

    /// <summary>A folder deleted when the test process exits; returns its path.</summary>
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
}
