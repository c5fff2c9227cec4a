namespace RemoteDx.Testing;

/// <summary>The power-cut simulator (tests/tools/powercut_fs.py, a FUSE file system on python3-llfuse) mounted at
/// <see cref="MountPoint"/> over <see cref="Backing"/>: everything passes through, but <see cref="CutAsync"/> (after the
/// programs using it were killed) leaves behind only what was made durable: file data as of its last fsync/fdatasync,
/// folder entries as of the folder's last fsync. <see cref="MountAsync"/> mounts it again on what survived.</summary>
public sealed class PowerCutFileSystem : IAsyncDisposable
{
    private ChildProcess? _fs;

    private PowerCutFileSystem(string root)
    {
        Backing = Directory.CreateDirectory(System.IO.Path.Combine(root, "backing")).FullName;
        MountPoint = Directory.CreateDirectory(System.IO.Path.Combine(root, "mnt")).FullName;
    }

    public string Backing { get; }

    public string MountPoint { get; }

    /// <summary>What the simulator printed at its last cut ("cut: N files, M folders kept").</summary>
    public string LastCut { get; private set; } = "";

    /// <summary>Creates backing and mount folders under <paramref name="root"/> and mounts.</summary>
    public static async Task<PowerCutFileSystem> StartAsync(string root)
    {
        Tool.RequirePython("llfuse");
        Tool.Require("fusermount3");
        var fs = new PowerCutFileSystem(root);
        await fs.MountAsync();
        return fs;
    }

    public async Task MountAsync()
    {
        if (_fs is not null)
        {
            throw new InvalidOperationException("already mounted");
        }
        var mounted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fs = ChildProcess.Start(Tool.Python, [Repo.Path("tests/tools/powercut_fs.py"), Backing, MountPoint]);
        fs.StdoutLine += line =>
        {
            if (line == "mounted")
            {
                mounted.TrySetResult();
            }
        };
        _fs = fs;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!mounted.Task.IsCompleted && !fs.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.WhenAny(mounted.Task, Task.Delay(50));
        }
        if (!mounted.Task.IsCompleted)
        {
            _fs = null;
            fs.Dispose();
            throw new InvalidOperationException($"powercut_fs.py did not mount {MountPoint}:\n{fs.Output}");
        }
    }

    /// <summary>The power goes off: unmounts and drops everything that was not made durable. Kill the programs using
    /// the mount first (their open files would keep it busy).</summary>
    public async Task CutAsync()
    {
        var fs = _fs ?? throw new InvalidOperationException("not mounted");
        _fs = null;
        using (fs)
        {
            fs.Terminate();
            var code = await fs.WaitAsync(TimeSpan.FromSeconds(120));
            LastCut = fs.Stdout.Split('\n').LastOrDefault(l => l.StartsWith("cut:", StringComparison.Ordinal)) ?? "";
            if (code != 0 || LastCut.Length == 0)
            {
                throw new InvalidOperationException($"powercut_fs.py failed at the cut (exit {code}):\n{fs.Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_fs is { } fs)
        {
            _fs = null;
            using (fs)
            {
                fs.Terminate();
                if (!fs.HasExited)
                {
                    await fs.WaitAsync(TimeSpan.FromSeconds(60));
                }
            }
        }
        // A simulator that died leaves its mount behind; a lazy unmount clears it.
        if (File.ReadAllText("/proc/self/mountinfo").Contains(" " + MountPoint + " ", StringComparison.Ordinal))
        {
            Tool.Run("fusermount3", "-u", "-z", MountPoint);
        }
    }
}
