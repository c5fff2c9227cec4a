using System.IO.Compression;
using RemoteDx.Core.Batch;
using RemoteDx.Core.Tests.Inference;

namespace RemoteDx.Core.Tests.Batch;

/// <summary>A folder of good, broken and non-applicable files, as the batch commands meet them.</summary>
public static class BatchFolder
{
    /// <summary>Writes the mixed folder; returns the expected status per path (zip entries as zip!entry).</summary>
    public static Dictionary<string, BatchStatus> Make(string dir)
    {
        var expected = new Dictionary<string, BatchStatus>();
        string Add(string rel, BatchStatus status)
        {
            var p = Path.Combine(dir, rel);
            expected[p] = status;
            return p;
        }
        Directory.CreateDirectory(Path.Combine(dir, "sub", "deeper"));
        TestImages.Create(new TestImages.Spec(Seed: 1)).Save(Add("good1.dcm", BatchStatus.Scored));
        TestImages.Create(new TestImages.Spec(Rows: 90, Columns: 120, Seed: 2)).Save(Add("sub/good2", BatchStatus.Scored));
        TestImages.Create(new TestImages.Spec(BitsAllocated: 8, BitsStored: 8, Seed: 3)).Save(Add("sub/deeper/good3.dcm", BatchStatus.Scored));
        // The test network applies to radiographs and the like, not to structured reports' modality.
        TestImages.Create(new TestImages.Spec(Modality: "SR", Seed: 4)).Save(Add("sub/report.dcm", BatchStatus.NotApplicable));
        var good = TestImages.Create(new TestImages.Spec(Seed: 5)).ToBytes();
        File.WriteAllBytes(Add("sub/truncated.dcm", BatchStatus.Error), good[..(good.Length / 2)]);
        File.WriteAllText(Add("notes.txt", BatchStatus.Error), "not a DICOM file at all, just some text");
        File.WriteAllBytes(Add("empty.dcm", BatchStatus.Error), []);
        var zipPath = Path.Combine(dir, "sub", "batch.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            void Entry(string name, byte[] data, BatchStatus status)
            {
                using (var s = zip.CreateEntry(name).Open())
                {
                    s.Write(data);
                }
                expected[zipPath + "!" + name] = status;
            }
            Entry("z/good4.dcm", TestImages.Create(new TestImages.Spec(Seed: 6)).ToBytes(), BatchStatus.Scored);
            Entry("z/same-as-good1.dcm", TestImages.Create(new TestImages.Spec(Seed: 1)).ToBytes(), BatchStatus.Scored);
            Entry("z/truncated.dcm", good[..(good.Length - 100)], BatchStatus.Error);
            Entry("readme.txt", "hello"u8.ToArray(), BatchStatus.Error);
            Entry("ct.dcm", TestImages.Create(new TestImages.Spec(Modality: "SR", Seed: 8)).ToBytes(), BatchStatus.NotApplicable);
        }
        File.WriteAllText(Add("broken.zip", BatchStatus.Error), "PK this is not really a zip");
        return expected;
    }
}
