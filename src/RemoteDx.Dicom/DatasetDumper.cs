using System.Globalization;
using System.Text;

namespace RemoteDx.Dicom;

/// <summary>Human-readable listing of a file, one element per line in the manner of DCMTK's dcmdump.</summary>
public static class DatasetDumper
{
    private const int MaxShown = 64;

    public static string Dump(DicomFile file)
    {
        var sb = new StringBuilder();
        sb.Append("# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n# Used TransferSyntax: Little Endian Explicit\n");
        Dump(sb, file.FileMetaInformation, 0);
        sb.Append("\n# Dicom-Data-Set\n# Used TransferSyntax: ").Append(file.TransferSyntax.Name).Append('\n');
        Dump(sb, file.Dataset, 0);
        return sb.ToString();
    }

    public static void Dump(StringBuilder sb, Dataset ds, int depth)
    {
        var indent = new string(' ', depth * 2);
        foreach (var e in ds)
        {
            var keyword = Keyword(ds, e.Tag);
            switch (e)
            {
                case DicomSequence sq:
                    sb.Append(indent).Append(e.Tag).Append(" SQ (Sequence with ")
                      .Append(sq.UndefinedLength ? "undefined" : "explicit").Append(" length #=").Append(sq.Items.Count)
                      .Append(")  # ").Append(keyword).Append('\n');
                    foreach (var item in sq.Items)
                    {
                        sb.Append(indent).Append("  (FFFE,E000) na (Item with ").Append(item.UndefinedLength ? "undefined" : "explicit")
                          .Append(" length #=").Append(item.Count).Append(")\n");
                        Dump(sb, item, depth + 2);
                        sb.Append(indent).Append("  (FFFE,E00D) na (ItemDelimitationItem)\n");
                    }
                    sb.Append(indent).Append("(FFFE,E0DD) na (SequenceDelimitationItem)\n");
                    break;
                case DicomFragments f:
                    sb.Append(indent).Append(e.Tag).Append(' ').Append(VRInfo.Name(e.VR)).Append(" (PixelSequence #=")
                      .Append(f.FragmentCount + 1).Append(")  # ").Append(keyword).Append('\n');
                    sb.Append(indent).Append("  (FFFE,E000) pi (offset table, ").Append(f.OffsetTable.Length).Append(" bytes)\n");
                    // Lengths only: a lazily read Pixel Data keeps its fragments in the file.
                    for (var i = 0; i < f.FragmentCount; i++)
                    {
                        sb.Append(indent).Append("  (FFFE,E000) pi (fragment, ").Append(f.FragmentLength(i)).Append(" bytes)\n");
                    }
                    break;
                default:
                    sb.Append(indent).Append(e.Tag).Append(' ').Append(VRInfo.Name(e.VR)).Append(' ')
                      .Append(FormatValue(ds, e)).Append("  # ").Append(e.Length.ToString(CultureInfo.InvariantCulture))
                      .Append(", ").Append(keyword).Append('\n');
                    break;
            }
        }
    }

    private static string Keyword(Dataset ds, Tag tag)
    {
        if (tag.IsPrivate)
        {
            return tag.IsPrivateCreator ? "PrivateCreator" : ds.PrivateCreatorOf(tag) is { } c ? $"Private [{c}]" : "Private";
        }
        return DicomDictionary.Lookup(tag)?.Keyword ?? (tag.IsGroupLength ? "GenericGroupLength" : "Unknown");
    }

    private static string FormatValue(Dataset ds, DicomElement e)
    {
        if (!e.IsLoaded)
        {
            return $"(not loaded, {e.Length} bytes)";
        }
        if (e.Length == 0)
        {
            return "(no value available)";
        }
        if (VRInfo.IsString(e.VR))
        {
            var s = ds.GetString(e.Tag) ?? "";
            return "[" + Escape(s) + "]";
        }
        if (e.VR is VR.OB or VR.UN)
        {
            var bytes = e.Buffer;
            var n = Math.Min(bytes.Length, MaxShown);
            var hex = string.Join('\\', Enumerable.Range(0, n).Select(i => bytes.Span[i].ToString("x2", CultureInfo.InvariantCulture)));
            return bytes.Length > n ? hex + "..." : hex;
        }
        if (e.VR == VR.AT)
        {
            return ds.GetString(e.Tag) ?? "";
        }
        // Only what is shown is converted: a large OW value must not cost several times its size.
        var values = e.BinaryValues(MaxShown + 1);
        var shown = values.Take(MaxShown).Select(v => e.VR is VR.OW ? ((int)v).ToString("x4", CultureInfo.InvariantCulture) : DicomElement.FormatNumber(v));
        return string.Join('\\', shown) + (values.Length > MaxShown ? "..." : "");
    }

    /// <summary>Control characters shown escaped so a hostile value cannot rewrite the terminal.</summary>
    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (ch < 0x20 || ch == 0x7F)
            {
                sb.Append("\\x").Append(((int)ch).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(ch);
            }
        }
        return sb.ToString();
    }
}
