using System.Diagnostics;
using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

// Benchmark driver: one process over many files, as a batch user runs it.
//   remotedx-bench parse FILE...    parse every file (header and pixel data bytes, no decode)
//   remotedx-bench decode FILE...   parse and decode every frame of every file
// Prints: files, seconds, files/s, decoded MB, MB/s.
//   remotedx-bench inference ...    see InferenceBench.cs
//   remotedx-bench reconcile DATA   see ReconcileBench.cs
if (args.Length > 0 && args[0] == "pipeline")
{
    return await RemoteDx.Bench.PipelineBench.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "reconcile")
{
    return await RemoteDx.Bench.ReconcileBench.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "inference")
{
    return await RemoteDx.Bench.InferenceBench.RunAsync(args[1..]);
}
if (args.Length < 2 || args[0] is not ("parse" or "decode"))
{
    Console.Error.WriteLine("usage: remotedx-bench parse|decode FILE... | inference --models DIR --model NAME FILE...");
    return 2;
}
var decode = args[0] == "decode";
var files = args[1..];
// One untimed pass warms the JIT and the page cache; the best of three timed passes is reported (steady state, as
// in a long-running service or a large batch).
Pass(1);
var best = double.MaxValue;
long decodedBytes = 0;
long checksum = 0;
for (var pass = 0; pass < 3; pass++)
{
    var (seconds, bytes, sum) = Pass(files.Length);
    if (seconds < best)
    {
        best = seconds;
        decodedBytes = bytes;
        checksum = sum;
    }
}
var s = best;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"files={files.Length} seconds={s:F3} files_per_s={files.Length / s:F1} decoded_mb={decodedBytes / 1e6:F1} mb_per_s={decodedBytes / 1e6 / s:F1} checksum={checksum}"));
return 0;

(double Seconds, long Bytes, long Checksum) Pass(int count)
{
var sw = Stopwatch.StartNew();
long decodedBytes = 0;
long checksum = 0;
foreach (var path in files.Take(count))
{
    var file = DicomReader.ReadFile(path);
    checksum += file.Dataset.Count;
    if (decode)
    {
        var frames = Math.Max(1, file.Dataset.GetInt(Tag.NumberOfFrames) ?? 1);
        for (var f = 0; f < frames; f++)
        {
            var data = PixelDataDecoder.DecodeFrame(file, f);
            decodedBytes += data.Length;
            checksum += data[data.Length / 2];
        }
    }
}
sw.Stop();
return (sw.Elapsed.TotalSeconds, decodedBytes, checksum);
}
