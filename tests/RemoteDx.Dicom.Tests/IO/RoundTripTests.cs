using RemoteDx.Dicom.IO;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.IO;

public sealed class RoundTripTests
{
    // Files the reference implementations themselves reject (truncated or corrupt on purpose).
    private static readonly HashSet<string> Broken = ["MR_truncated.dcm", "rtplan_truncated.dcm", "no_meta.dcm", "SC_rgb_jpeg.dcm"];

    public static TheoryData<string> PydicomFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Tool.PydicomTestFiles, "*.dcm").Order(StringComparer.Ordinal))
        {
            if (!Broken.Contains(Path.GetFileName(f)))
            {
                data.Add(Path.GetFileName(f));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PydicomFiles))]
    public void Reading_and_writing_a_file_reproduces_it_byte_for_byte(string name)
    {
        var path = Path.Combine(Tool.PydicomTestFiles, name);
        var original = File.ReadAllBytes(path);
        var file = DicomReader.ReadFile(path);
        var written = file.ToBytes(new DicomWriteOptions { UpdateMetaGroupLength = file.FileMetaInformation.Contains(Tag.FileMetaInformationGroupLength) });
        if (file.Preamble is null || file.TransferSyntax.IsDeflated)
        {
            // No preamble (we add one) or a deflate stream (compressor-dependent bytes): compare datasets instead.
            var again = DicomReader.Read(new MemoryStream(written));
            Assert.Equal(DatasetDumper.Dump(file), DatasetDumper.Dump(again));
            return;
        }
        Assert.Equal(original.Length, written.Length);
        Assert.True(original.AsSpan().SequenceEqual(written), $"{name}: first difference at {FirstDifference(original, written)}");
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.2")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    public void Transcoding_with_dcmconv_reads_back_the_same_dataset(string syntax)
    {
        var dir = TempDirectory.ForTestRun();
        var src = Path.Combine(Tool.PydicomTestFiles, "CT_small.dcm");
        var flag = syntax switch
        {
            "1.2.840.10008.1.2" => "+ti",
            "1.2.840.10008.1.2.1" => "+te",
            "1.2.840.10008.1.2.2" => "+tb",
            _ => "+td",
        };
        var converted = Path.Combine(dir, "conv.dcm");
        Tool.RunOk("dcmconv", flag, src, converted);
        var reference = DicomReader.ReadFile(src);
        var file = DicomReader.ReadFile(converted);
        Assert.Equal(syntax, file.TransferSyntax.Uid);
        foreach (var e in reference.Dataset)
        {
            var other = file.Dataset[e.Tag];
            Assert.NotNull(other);
            if (e is not DicomSequence)
            {
                Assert.True(e.Buffer.Span.SequenceEqual(other!.Buffer.Span), $"{e.Tag} differs after {flag}");
            }
        }

        // And our own writer in that syntax must be readable by DCMTK with the same values.
        var ours = Path.Combine(dir, "ours.dcm");
        var outFile = new DicomFile(reference.Dataset, TransferSyntax.Lookup(syntax));
        outFile.BuildFileMetaInformation();
        outFile.Save(ours);
        var dumpOurs = Tool.RunOk("dcmdump", "+L", "-q", ours);
        var dumpRef = Tool.RunOk("dcmdump", "+L", "-q", src);
        Assert.Equal(DataLines(dumpRef), DataLines(dumpOurs));
    }

    private static List<string> DataLines(string dump) =>
        dump.Split('\n').Where(l => l.StartsWith('(') && !l.StartsWith("(0002", StringComparison.Ordinal)).Select(l => l.TrimEnd()).ToList();

    private static int FirstDifference(byte[] a, byte[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }
        return n;
    }
}
