using System.Globalization;
using System.Text;

namespace RemoteDx.Dicom;

/// <summary>One element of a header listing: tag as "(gggg,eeee)", VR, dictionary keyword, the value as text (null for
/// sequences and values left out), the value length in bytes, whether the text was cut, and a sequence's items.</summary>
public sealed record HeaderElement(string Tag, string VR, string Keyword, string? Value, long Length, bool Truncated,
    IReadOnlyList<IReadOnlyList<HeaderElement>>? Items);

/// <summary>A data set as a tree of readable elements for a header view: sequences nested, Pixel Data (group 7FE0)
/// left out, long values cut to a maximum, binary values shown as numbers or hex.</summary>
public static class HeaderListing
{
    /// <summary>Items listed per sequence and nesting depth shown; beyond them a listing says how many were left out.</summary>
    public const int MaxItems = 50;

    public const int MaxDepth = 8;

    public static IReadOnlyList<HeaderElement> List(Dataset ds, int maxValueChars = 256)
    {
        ArgumentNullException.ThrowIfNull(ds);
        return List(ds, maxValueChars, 0);
    }

    private static List<HeaderElement> List(Dataset ds, int maxChars, int depth)
    {
        var result = new List<HeaderElement>();
        foreach (var e in ds)
        {
            if (e.Tag.Group == 0x7FE0)
            {
                continue;
            }
            var tag = e.Tag.ToString();
            var vr = VRInfo.Name(e.VR);
            var keyword = Keyword(ds, e.Tag);
            if (e is DicomSequence sq)
            {
                var items = depth + 1 >= MaxDepth ? [] : sq.Items.Take(MaxItems).Select(i => (IReadOnlyList<HeaderElement>)List(i, maxChars, depth + 1)).ToList();
                result.Add(new HeaderElement(tag, "SQ", keyword, null, sq.Items.Count, items.Count < sq.Items.Count, items));
                continue;
            }
            if (e is DicomFragments || !e.IsLoaded)
            {
                result.Add(new HeaderElement(tag, vr, keyword, null, e.Length, true, null));
                continue;
            }
            var (text, cut) = Value(ds, e, maxChars);
            result.Add(new HeaderElement(tag, vr, keyword, text, e.Length, cut, null));
        }
        return result;
    }

    private static string Keyword(Dataset ds, Tag tag)
    {
        if (tag.IsPrivate)
        {
            return tag.IsPrivateCreator ? "PrivateCreator" : ds.PrivateCreatorOf(tag) is { } c ? $"Private [{c}]" : "Private";
        }
        return DicomDictionary.Lookup(tag)?.Keyword ?? (tag.IsGroupLength ? "GenericGroupLength" : "Unknown");
    }

    private static (string Text, bool Cut) Value(Dataset ds, DicomElement e, int maxChars)
    {
        if (e.Length == 0)
        {
            return ("", false);
        }
        if (VRInfo.IsString(e.VR) || e.VR == VR.AT)
        {
            return Cut(ds.GetString(e.Tag) ?? "", maxChars);
        }
        if (e.VR is VR.OB or VR.UN)
        {
            var span = e.Buffer.Span;
            var n = Math.Min(span.Length, maxChars / 3);
            var sb = new StringBuilder(n * 3);
            for (var i = 0; i < n; i++)
            {
                sb.Append(i > 0 ? "\\" : "").Append(span[i].ToString("x2", CultureInfo.InvariantCulture));
            }
            return (sb.ToString(), n < span.Length);
        }
        // Only what can be shown is converted: a large OW/OF value must not cost several times its size.
        var values = e.BinaryValues(maxChars / 2 + 1);
        var text = string.Join('\\', values.Select(v => e.VR is VR.OW ? ((int)v).ToString("x4", CultureInfo.InvariantCulture) : DicomElement.FormatNumber(v)));
        var (shown, cut) = Cut(text, maxChars);
        return (shown, cut || values.Length > maxChars / 2);
    }

    private static (string, bool) Cut(string s, int maxChars) => s.Length <= maxChars ? (s, false) : (s[..maxChars], true);
}
