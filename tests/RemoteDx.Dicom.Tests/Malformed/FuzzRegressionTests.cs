using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Malformed;

/// <summary>Inputs kept from afl++ runs of tools/fuzz (README there): crashes and hangs once fixed, and a sample of
/// the queue, the inputs that each reached new code in the reader. Each must parse, dump, serialise and decode, or
/// fail with a <see cref="DicomException"/>, within the deadline, read from memory and lazily from a file.</summary>
public sealed class FuzzRegressionTests
{
    private static string CasesDir => Path.Combine(AppContext.BaseDirectory, "Malformed", "fuzz-cases");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(CasesDir).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_fuzzer_input_parses_or_fails_with_a_DicomException(string name)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(CasesDir, name));
        var lazyPath = Path.Combine(TempDirectory.ForTestRun(), "case.dcm");
        await Task.Run(() =>
        {
            ReaderPropertyTests.ParseEverything(bytes);
            ReaderPropertyTests.ParseEverything(bytes, lazyPath);
        }).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
