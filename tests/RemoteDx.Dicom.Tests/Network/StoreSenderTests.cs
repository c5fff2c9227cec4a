using System.IO.Compression;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>Sending many files to DCMTK storescp: the shapes real clinics send, and a file that breaks the association.</summary>
public sealed class StoreSenderTests
{
    private const string DeflatedUid = "1.2.840.10008.1.2.1.99";

    [Fact]
    public async Task ADeflatedDataSetWithAnOddLengthStreamIsPaddedAndArrivesIntactAtStorescp()
    {
        var dir = TempDirectory.ForTestRun();
        var file = OddDeflatedFile(dir);
        var original = DicomReader.ReadFile(file).Dataset;
        // Byte-exact DCMTK: storescp refuses an odd PDV ("Odd Fragment Length") and aborts.
        var outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        var results = await SendToStorescpAsync(outDir, [file]);
        var r = Assert.Single(results);
        Assert.True(r.Kind == StoreResultKind.Success, $"{r.Kind}: {r.Error} {r.Status}");
        var received = DicomReader.ReadFile(Assert.Single(Directory.GetFiles(outDir)));
        Assert.Equal(DeflatedUid, received.TransferSyntax.Uid);
        Net.AssertSameDataset(original, received.Dataset, received.TransferSyntax);
    }

    [Fact]
    public void TheWriterPadsAnOddLengthDeflatedStream()
    {
        var original = DicomReader.ReadFile(Net.TestFile("CT_small.dcm")).Dataset;
        for (var i = 0; i < 16; i++)
        {
            original.SetString(Tag.StudyDescription, VR.LO, new string('x', 2 * i));
            using var ms = new MemoryStream();
            DicomWriter.WriteDataset(ms, original, TransferSyntax.Lookup(DeflatedUid));
            Assert.Equal(0, ms.Length % 2);
            ms.Position = 0;
            Net.AssertSameDataset(original, DicomReader.ReadDataset(ms, TransferSyntax.Lookup(DeflatedUid)), TransferSyntax.ExplicitVRLittleEndian);
        }
    }

    [Fact]
    public async Task AFileThatMakesStorescpAbortIsSetAsideAndEveryOtherFileIsDelivered()
    {
        var dir = TempDirectory.ForTestRun();
        var good = new[] { "CT_small.dcm", "rtplan.dcm", "rtstruct.dcm", "MR_small.dcm", "rtdose.dcm" }.Select(Net.TestFile).ToList();
        // The poison: a native data set of odd length (a broken writer's trailing byte); storescp aborts on its odd PDV.
        var poison = Path.Combine(dir, "odd.dcm");
        var ds = DicomReader.ReadFile(Net.TestFile("CT_small.dcm"));
        ds.Dataset.SetString(Tag.SOPInstanceUID, VR.UI, "1.2.826.0.1.3680043.8.498.1");
        using (var fs = File.Create(poison))
        {
            DicomWriter.WriteFile(fs, ds);
            fs.WriteByte(0xFF);
        }
        var files = new List<string> { good[0], good[1], poison, good[2], good[3], good[4] };
        var outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);

        var results = await SendToStorescpAsync(outDir, files);

        Assert.Equal(files.Count, results.Count);
        var set = Assert.Single(results, r => !r.Delivered);
        Assert.Equal(poison, set.Path);
        Assert.Equal(StoreResultKind.Aborted, set.Kind);
        Assert.Contains("set aside", set.Error, StringComparison.Ordinal);
        var received = Directory.GetFiles(outDir).Select(p => DicomReader.ReadFile(p).Dataset.GetString(Tag.SOPInstanceUID)).Order().ToList();
        var expected = good.Select(f => DicomReader.ReadFile(f).Dataset.GetString(Tag.SOPInstanceUID)).Order().ToList();
        Assert.Equal(expected, received);
    }

    private static async Task<List<StoreResult>> SendToStorescpAsync(string outDir, IReadOnlyList<string> files)
    {
        var port = Net.FreePort();
        using var storescp = Net.Start("storescp", "-aet", "STORESCP", "-od", outDir, "+xa", port.ToString());
        try
        {
            await Net.WaitForPortAsync(port, storescp);
            var results = new List<StoreResult>();
            var sender = new StoreSender(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = "STORESCP", MaxPduLength = 16384 });
            await sender.SendAsync(files, r =>
            {
                results.Add(r);
                return ValueTask.CompletedTask;
            });
            return results;
        }
        finally
        {
            storescp.Kill();
        }
    }

    /// <summary>A Deflated Explicit VR Little Endian file as some writers make it: the deflated stream of odd length with
    /// no pad byte (PS3.5 A.5 asks for one).</summary>
    private static string OddDeflatedFile(string dir)
    {
        var source = DicomReader.ReadFile(Net.TestFile("CT_small.dcm"));
        for (var i = 0; i < 64; i++)
        {
            source.Dataset.SetString(Tag.StudyDescription, VR.LO, "deflated" + new string('z', 2 * i));
            using var plain = new MemoryStream();
            DicomWriter.WriteDataset(plain, source.Dataset, TransferSyntax.ExplicitVRLittleEndian);
            using var deflated = new MemoryStream();
            using (var z = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
            {
                plain.Position = 0;
                plain.CopyTo(z);
            }
            if (deflated.Length % 2 == 1)
            {
                var path = Path.Combine(dir, "odd-deflated.dcm");
                var meta = Part10Header.Encode(source.Dataset.GetString(Tag.SOPClassUID)!, source.Dataset.GetString(Tag.SOPInstanceUID)!,
                    TransferSyntax.Lookup(DeflatedUid), "WRITER");
                using var fs = File.Create(path);
                fs.Write(meta);
                deflated.Position = 0;
                deflated.CopyTo(fs);
                return path;
            }
        }
        throw new InvalidOperationException("no odd-length deflated stream in 64 tries");
    }
}
