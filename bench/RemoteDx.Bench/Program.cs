using System.Diagnostics;
using System.Globalization;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

// Benchmark driver: one process over many files, as a batch user runs it.
//   remotedx-bench parse FILE...    parse every file (header and pixel data bytes, no decode)
//   remotedx-bench decode FILE...   parse and decode every frame of every file
// Prints: files, seconds, files/s, decoded MB, MB/s.
if (args.Length < 2 || args[0] is not ("parse" or "decode"))
{
    Console.Error.WriteLine("usage: remotedx-bench parse|decode FILE...");
    return 2;
}
var decode = args[0] == "decode";
var files = args[1..];
var sw = Stopwatch.StartNew();
long decodedBytes = 0;
long checksum = 0;
foreach (var path in files)
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
var s = sw.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"files={files.Length} seconds={s:F3} files_per_s={files.Length / s:F1} decoded_mb={decodedBytes / 1e6:F1} mb_per_s={decodedBytes / 1e6 / s:F1} checksum={checksum}"));
return 0;
