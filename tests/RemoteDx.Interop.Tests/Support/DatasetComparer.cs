using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>Element-by-element comparison of two data sets read with RemoteDx.Dicom: same tags, same VRs, same value
/// bytes; sequences item by item; encapsulated pixel data fragment by fragment. File Meta Information is not part
/// of the data set, so a peer may rewrite it freely.</summary>
public static class DatasetComparer
{
    /// <summary>Data Set Trailing Padding (FFFC,FFFC) has no meaning and any application may drop it (PS3.10 7.2);
    /// DCMTK (storescu, Orthanc) does.</summary>
    private static readonly Tag TrailingPadding = new(0xFFFC, 0xFFFC);

    // Encapsulated pixel data written as OW (MR_small_jpeg_ls_lossless.dcm does) is read by DCMTK and written back
    // as OB, which PS3.5 A.4 requires; that correction is allowed, the fragments themselves must still match.

    public static List<string> Differences(Dataset expected, Dataset actual, string path = "")
    {
        var diffs = new List<string>();
        var expectedTags = expected.Select(e => e.Tag).Where(t => t != TrailingPadding).ToHashSet();
        var actualTags = actual.Select(e => e.Tag).Where(t => t != TrailingPadding).ToHashSet();
        foreach (var t in expectedTags.Except(actualTags))
        {
            diffs.Add($"{path}{t}: missing");
        }
        foreach (var t in actualTags.Except(expectedTags))
        {
            diffs.Add($"{path}{t}: added");
        }
        foreach (var e in expected)
        {
            if (e.Tag == TrailingPadding || actual[e.Tag] is not { } a)
            {
                continue;
            }
            var where = $"{path}{e.Tag}";
            if (e.VR != a.VR && !(e is DicomFragments && e.VR == VR.OW && a.VR == VR.OB))
            {
                diffs.Add($"{where}: VR {e.VR} became {a.VR}");
                continue;
            }
            switch (e, a)
            {
                case (DicomSequence se, DicomSequence sa):
                    if (se.Items.Count != sa.Items.Count)
                    {
                        diffs.Add($"{where}: {se.Items.Count} items became {sa.Items.Count}");
                        break;
                    }
                    for (var i = 0; i < se.Items.Count; i++)
                    {
                        diffs.AddRange(Differences(se.Items[i], sa.Items[i], $"{where}[{i}]."));
                    }
                    break;
                case (DicomFragments fe, DicomFragments fa):
                    if (!fe.OffsetTable.Span.SequenceEqual(fa.OffsetTable.Span))
                    {
                        diffs.Add($"{where}: basic offset table differs");
                    }
                    if (fe.Fragments.Count != fa.Fragments.Count)
                    {
                        diffs.Add($"{where}: {fe.Fragments.Count} fragments became {fa.Fragments.Count}");
                        break;
                    }
                    for (var i = 0; i < fe.Fragments.Count; i++)
                    {
                        if (!fe.Fragments[i].Span.SequenceEqual(fa.Fragments[i].Span))
                        {
                            diffs.Add($"{where}: fragment {i} differs");
                        }
                    }
                    break;
                case (DicomSequence or DicomFragments, _) or (_, DicomSequence or DicomFragments):
                    diffs.Add($"{where}: {e.GetType().Name} became {a.GetType().Name}");
                    break;
                default:
                    if (!e.Buffer.Span.SequenceEqual(a.Buffer.Span))
                    {
                        diffs.Add($"{where}: value bytes differ ({e.Buffer.Length} vs {a.Buffer.Length} bytes)");
                    }
                    break;
            }
        }
        return diffs;
    }

    /// <summary>Asserts that two Part 10 files hold the same data set in the same transfer syntax.</summary>
    public static void AssertSameDataset(string expectedPath, byte[] actualFile, string what)
    {
        var expected = DicomReader.ReadFile(expectedPath);
        using var ms = new MemoryStream(actualFile, writable: false);
        var actual = DicomReader.Read(ms);
        Assert.Equal(expected.TransferSyntax.Uid, actual.TransferSyntax.Uid);
        var diffs = Differences(expected.Dataset, actual.Dataset);
        Assert.True(diffs.Count == 0, $"{what}: data set of {Path.GetFileName(expectedPath)} changed:\n  " + string.Join("\n  ", diffs.Take(20)));
    }
}
