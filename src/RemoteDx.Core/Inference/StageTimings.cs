using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RemoteDx.Core.Inference;

/// <summary>Where scoring time goes, per stage, summed over every thread: what `remotedx score --timings` prints at
/// the end of a run (bench/batch/README.md). Off unless a caller turns it on, so the service pays one branch per
/// stage. Each stage runs on one thread from start to end, so besides the elapsed time it records that thread's own
/// CPU time (Linux CLOCK_THREAD_CPUTIME_ID): on a machine shared with other work the elapsed time includes the
/// moments the OS gave the core to someone else, the CPU time does not.</summary>
public static partial class StageTimings
{
    /// <summary>The stages of one image, in pipeline order.</summary>
    public enum Stage
    {
        /// <summary>Opening the file and parsing the header (pixel data left on disk).</summary>
        Parse,
        /// <summary>Reading the scored frame's bytes from the file (or copying them out of memory), codec included.</summary>
        ReadPixels,
        /// <summary>Bits-stored masking or sign extension.</summary>
        Decode,
        /// <summary>Histogram of stored values and the percentiles read from it.</summary>
        Histogram,
        /// <summary>Lookup table, resize, normalisation into the model input.</summary>
        Preprocess,
        /// <summary>ONNX Runtime's Run for a batch, copies into and out of it and postprocessing included.</summary>
        Inference,
        /// <summary>Writing result rows.</summary>
        Output,
    }

    /// <summary>A stage's start: elapsed and thread-CPU timestamps (both 0 when timing is off).</summary>
    public readonly record struct Mark(long Wall, long Cpu);

    private static readonly int StageCount = Enum.GetValues<Stage>().Length;
    private static readonly long[] WallTicks = new long[StageCount];
    private static readonly long[] CpuNanoseconds = new long[StageCount];

    /// <summary>Set before a run; read on every stage.</summary>
    public static bool Enabled { get; set; }

    /// <summary>A mark to pass to <see cref="Add"/>.</summary>
    public static Mark Start() => Enabled ? new Mark(Stopwatch.GetTimestamp(), ThreadCpuNanoseconds()) : default;

    /// <summary>Adds the time since <paramref name="started"/> (from <see cref="Start"/>) to <paramref name="stage"/>.</summary>
    public static void Add(Stage stage, Mark started)
    {
        if (started.Wall == 0)
        {
            return;
        }
        Interlocked.Add(ref WallTicks[(int)stage], Stopwatch.GetTimestamp() - started.Wall);
        Interlocked.Add(ref CpuNanoseconds[(int)stage], ThreadCpuNanoseconds() - started.Cpu);
    }

    public static void Reset()
    {
        Array.Clear(WallTicks);
        Array.Clear(CpuNanoseconds);
    }

    /// <summary>A Markdown table: per stage, thread CPU and elapsed milliseconds per image and the stage's share of
    /// the CPU, then the whole process's CPU (ONNX Runtime's own threads, the collector, the runtime) and wall time
    /// for <paramref name="images"/> images.</summary>
    public static string Report(long images, TimeSpan wall, TimeSpan processCpu)
    {
        var inv = CultureInfo.InvariantCulture;
        var per = (double)Math.Max(1, images);
        double cpuSum = 0, wallSum = 0;
        for (var i = 0; i < StageCount; i++)
        {
            cpuSum += Interlocked.Read(ref CpuNanoseconds[i]) / 1e6;
            wallSum += Interlocked.Read(ref WallTicks[i]) * 1000.0 / Stopwatch.Frequency;
        }
        var sb = new StringBuilder();
        sb.AppendLine("| stage | CPU ms per image | elapsed ms per image | share of stage CPU |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var stage in Enum.GetValues<Stage>())
        {
            var cpu = Interlocked.Read(ref CpuNanoseconds[(int)stage]) / 1e6;
            var elapsed = Interlocked.Read(ref WallTicks[(int)stage]) * 1000.0 / Stopwatch.Frequency;
            sb.AppendLine(string.Create(inv, $"| {Name(stage)} | {cpu / per:0.00} | {elapsed / per:0.00} | {(cpuSum > 0 ? 100 * cpu / cpuSum : 0):0} % |"));
        }
        sb.AppendLine(string.Create(inv, $"| all stages | {cpuSum / per:0.00} | {wallSum / per:0.00} | 100 % |"));
        var other = processCpu.TotalMilliseconds - cpuSum;
        sb.Append(string.Create(inv,
            $"{images} images; process CPU {processCpu.TotalMilliseconds / per:0.00} ms per image ({other / per:0.00} outside the stages: "
            + $"runtime, collector, hand-offs); wall {wall.TotalMilliseconds:0} ms ({images / Math.Max(wall.TotalSeconds, 1e-9):0.0} images/s)"));
        return sb.ToString();
    }

    private static string Name(Stage s) => s switch
    {
        Stage.Parse => "open + parse header",
        Stage.ReadPixels => "read pixels (codec)",
        Stage.Decode => "mask to bits stored",
        Stage.Histogram => "histogram + percentiles",
        Stage.Preprocess => "LUT + resize + normalise",
        Stage.Inference => "ONNX Runtime run",
        Stage.Output => "CSV/JSON output",
        _ => s.ToString(),
    };

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID, Linux

    private static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTime, out var ts) != 0)
        {
            return 0;
        }
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);
}
