using System.Globalization;
using System.Text;

namespace RemoteDx.Core.Store;

/// <summary>The one normalisation behind worklist search, applied to what a study is indexed under (patient name,
/// patient ID, accession number) and to what a reader types: Unicode NFD with combining marks removed (é → e, Arabic
/// harakat dropped; kana voicing marks kept), lower-cased, letters that do not decompose folded to their plain spelling (æ → ae, ø → o, ß → ss,
/// ł → l, đ → d, œ → oe, þ → th, ı → i), and the DICOM PN separators "^" (components) and "=" (alphabetic, ideographic,
/// phonetic groups, PS3.5 6.2.1) treated as spaces, so "Müller^José" and "MULLER JOSE" meet. Ideographs are kept as they
/// are; a name written without spaces is one term.</summary>
public static class SearchKey
{
    /// <summary>Longest term indexed or searched; longer input is cut (a prefix search still finds it).</summary>
    public const int MaxTermLength = 64;

    /// <summary>The normalised text, words separated by one space; "" when nothing searchable is left.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var space = true; // no leading space
        foreach (var rune in decomposed.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            // Kana voicing marks (U+3099, U+309A) make different syllables, not accents: kept, and recomposed below.
            if ((category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.Format) && rune.Value is not (0x3099 or 0x309A))
            {
                continue;
            }
            if (rune.Value is '^' or '=' || Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                if (!space)
                {
                    sb.Append(' ');
                    space = true;
                }
                continue;
            }
            var lower = Rune.ToLowerInvariant(rune);
            sb.Append(Fold(lower.Value) ?? lower.ToString());
            space = false;
        }
        // Back to composed form (Hangul syllables, kana with voicing marks), so a term is what was typed.
        return sb.ToString().TrimEnd(' ').Normalize(NormalizationForm.FormC);
    }

    private static string? Fold(int c) => c switch
    {
        'æ' => "ae",
        'ø' => "o",
        'ß' => "ss",
        'ł' => "l",
        'đ' => "d",
        'ð' => "d",
        'œ' => "oe",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŀ' => "l",
        _ => null,
    };

    /// <summary>The terms a study is found by: each word of the patient name, the whole patient ID and the whole
    /// accession number (normalised; an ID with spaces also by each word). Distinct, each at most
    /// <see cref="MaxTermLength"/> characters.</summary>
    public static IReadOnlyList<string> Terms(string? patientName, string? patientId, string? accessionNumber)
    {
        var terms = new List<string>();
        void Add(string t)
        {
            if (t.Length > MaxTermLength)
            {
                t = t[..MaxTermLength];
            }
            if (t.Length > 0 && !terms.Contains(t, StringComparer.Ordinal))
            {
                terms.Add(t);
            }
        }
        foreach (var word in Normalize(patientName).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Add(word);
        }
        foreach (var id in new[] { Normalize(patientId), Normalize(accessionNumber) })
        {
            Add(id);
            foreach (var word in id.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Add(word);
            }
        }
        return terms;
    }

    /// <summary>The words of a query: each must be the start of one of a study's terms.</summary>
    public static IReadOnlyList<string> QueryTerms(string? query) =>
        Normalize(query).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Length > MaxTermLength ? t[..MaxTermLength] : t)
            .Distinct(StringComparer.Ordinal).Take(8).ToList();

    /// <summary>The exclusive upper bound of the terms starting with <paramref name="prefix"/>, in binary (UTF-8 byte)
    /// order: the prefix followed by U+10FFFF, above any character a name holds. Both stores compare these terms
    /// bytewise (SQLite's BINARY collation, PostgreSQL's "C"), so the range uses the terms index.</summary>
    public static string UpperBound(string prefix) => prefix + char.ConvertFromUtf32(0x10FFFF);
}
