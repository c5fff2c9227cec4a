using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;
using SharpFuzz;

namespace RemoteDx.Fuzz;

/// <summary>afl++ target: parse stdin as a Part 10 file, dump it as text and JSON, decode frame 0. Only a
/// <see cref="DicomException"/> is an acceptable outcome on bad input; anything else escapes and afl records a crash.</summary>
internal static class Program
{
    // Tighter than the defaults so a bomb or an absurd frame shows up as a limit, not as a slow or huge run.
    private static readonly DicomReadOptions Options = new()
    {
        MaxInflatedBytes = 16L * 1024 * 1024,
        MaxValueLength = 16L * 1024 * 1024,
    };

    private const long MaxFrameBytes = 64L * 1024 * 1024;

    public static void Main()
    {
        Fuzzer.OutOfProcess.Run(Target);
    }

    // Inputs of odd length also go through a file with lazy pixel data, the way `remotedx pixels` reads.
    private static readonly string LazyPath = Path.Combine(Path.GetTempPath(), $"remotedx-fuzz-{Environment.ProcessId}.dcm");

    private static void Target(Stream input)
    {
        // afl hands us a pipe or file; copy so the reader sees a seekable source of known length, as with a file.
        using var ms = new MemoryStream();
        input.CopyTo(ms);
        ms.Position = 0;
        try
        {
            DicomFile file;
            if (ms.Length % 2 == 1)
            {
                File.WriteAllBytes(LazyPath, ms.ToArray());
                file = DicomReader.ReadFile(LazyPath, Options with { LazyPixelData = true });
            }
            else
            {
                file = DicomReader.Read(ms, Options);
            }
            _ = DatasetDumper.Dump(file);
            _ = DicomJson.Serialize(file.Dataset);
            if (file.Dataset.Contains(Tag.PixelData))
            {
                _ = PixelDataDecoder.DecodeFrame(file, 0, MaxFrameBytes);
            }
        }
        catch (DicomException)
        {
            // The documented outcome for bad input.
        }
    }
}
