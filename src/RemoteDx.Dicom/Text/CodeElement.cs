using System.Text;

namespace RemoteDx.Dicom.Text;

/// <summary>
/// One ISO/IEC 2022 graphic character set ("code element") that DICOM can designate into G0 or G1.
/// PS3.3 C.12.1.1.2 Tables C.12-3 and C.12-4 list the sets and their escape sequences; PS3.5 6.1.2.5.
/// Codes are held in their 7-bit (GL) form: a single-byte set maps 0x20..0x7F, a double-byte set maps
/// pairs of 0x21..0x7E. A set invoked in G1 is used with the high bit set (GR, 0xA0..0xFF).
/// </summary>
internal sealed class CodeElement
{
    /// <summary>Marks a code with no character in the set.</summary>
    public const char Undefined = '\uFFFD';

    private const int DoubleByteSize = 94 * 94;

    private readonly Func<char[]> _build;
    private char[]? _table;
    private Dictionary<char, ushort>? _reverse;

    private CodeElement(string name, byte[] escape, bool isG1, bool isDoubleByte, Func<char[]> build)
    {
        Name = name;
        Escape = escape;
        IsG1 = isG1;
        IsDoubleByte = isDoubleByte;
        _build = build;
    }

    /// <summary>The ISO-IR registration, e.g. "ISO-IR 87".</summary>
    public string Name { get; }

    /// <summary>The escape sequence DICOM uses to designate this set. PS3.3 Table C.12-3 / C.12-4.</summary>
    public byte[] Escape { get; }

    /// <summary>True when the set is designated into G1 (used as GR bytes), false for G0 (GL bytes).</summary>
    public bool IsG1 { get; }

    public bool IsDoubleByte { get; }

    /// <summary>
    /// In G0, the set agrees with ASCII on the DICOM delimiters '\', '^', '=' so they can be recognised.
    /// PS3.5 6.1.2.5.3: delimiters only occur while a single-byte G0 set is active.
    /// </summary>
    public bool KeepsDelimiters => !IsDoubleByte && !IsG1 && !ReferenceEquals(this, Katakana);

    private char[] Table => _table ??= _build();

    /// <summary>Character of the 7-bit single-byte code <paramref name="code"/> (0x20..0x7F).</summary>
    public char Decode(int code)
    {
        var t = Table;
        return code is >= 0x20 and < 0x80 ? t[code - 0x20] : Undefined;
    }

    /// <summary>Character of the 7-bit double-byte code (each byte 0x21..0x7E).</summary>
    public char Decode(int first, int second)
    {
        if (first is < 0x21 or > 0x7E || second is < 0x21 or > 0x7E)
        {
            return Undefined;
        }
        return Table[((first - 0x21) * 94) + (second - 0x21)];
    }

    /// <summary>The 7-bit code of <paramref name="c"/>: one byte, or two bytes as (first &lt;&lt; 8) | second.</summary>
    public bool TryEncode(char c, out ushort code)
    {
        var reverse = _reverse ??= BuildReverse();
        return reverse.TryGetValue(c, out code);
    }

    private Dictionary<char, ushort> BuildReverse()
    {
        var t = Table;
        var map = new Dictionary<char, ushort>(t.Length);
        for (var i = 0; i < t.Length; i++)
        {
            var c = t[i];
            if (c == Undefined)
            {
                continue;
            }
            // Double-byte sets never stand in for ASCII: those characters go through a single-byte G0 set.
            if (IsDoubleByte && c < 0x80)
            {
                continue;
            }
            var code = IsDoubleByte ? (ushort)((((i / 94) + 0x21) << 8) | ((i % 94) + 0x21)) : (ushort)(i + 0x20);
            map.TryAdd(c, code);
        }
        return map;
    }

    public override string ToString() => Name;

    // ---- the registered sets -------------------------------------------------------------------------

    /// <summary>ISO-IR 6, ASCII, in G0: ESC ( B. PS3.3 Table C.12-3.</summary>
    public static CodeElement Ascii { get; } = new("ISO-IR 6", [0x1B, 0x28, 0x42], false, false, () => Gl94(i => (char)i));

    /// <summary>ISO-IR 14, JIS X 0201 Romaji, in G0: ESC ( J. 0x5C is YEN SIGN, 0x7E is OVERLINE.</summary>
    public static CodeElement Romaji { get; } = new("ISO-IR 14", [0x1B, 0x28, 0x4A], false, false,
        () => Gl94(i => i switch { 0x5C => '\u00A5', 0x7E => '\u203E', _ => (char)i }));

    /// <summary>ISO-IR 13, JIS X 0201 Katakana, in G1: ESC ) I. 0x21..0x5F map to U+FF61..U+FF9F.</summary>
    public static CodeElement Katakana { get; } = new("ISO-IR 13", [0x1B, 0x29, 0x49], true, false,
        () => Gl94(i => i <= 0x5F ? (char)(0xFF61 + (i - 0x21)) : Undefined));

    /// <summary>ISO-IR 100, ISO 8859-1 upper half, in G1: ESC - A.</summary>
    public static CodeElement Latin1 { get; } = new("ISO-IR 100", [0x1B, 0x2D, 0x41], true, false,
        () => Gr96(i => (char)(i + 0x80)));

    public static CodeElement Latin2 { get; } = CodePage96("ISO-IR 101", 'B', 28592);
    public static CodeElement Latin3 { get; } = CodePage96("ISO-IR 109", 'C', 28593);
    public static CodeElement Latin4 { get; } = CodePage96("ISO-IR 110", 'D', 28594);
    public static CodeElement Cyrillic { get; } = CodePage96("ISO-IR 144", 'L', 28595);
    public static CodeElement Arabic { get; } = CodePage96("ISO-IR 127", 'G', 28596);
    /// <summary>ISO 8859-7: Windows 28597 keeps the 1987 quotes and lacks the 2003 additions; use the Unicode mapping.</summary>
    public static CodeElement Greek { get; } = CodePage96("ISO-IR 126", 'F', 28597,
        (0xA1, '\u2018'), (0xA2, '\u2019'), (0xA4, '\u20AC'), (0xA5, '\u20AF'), (0xAA, '\u037A'));

    /// <summary>ISO 8859-8: Windows 28598 has OVERLINE for MACRON and lacks LRM/RLM; use the Unicode mapping.</summary>
    public static CodeElement Hebrew { get; } = CodePage96("ISO-IR 138", 'H', 28598,
        (0xAF, '\u00AF'), (0xFD, '\u200E'), (0xFE, '\u200F'));
    public static CodeElement Latin5 { get; } = CodePage96("ISO-IR 148", 'M', 28599);

    /// <summary>
    /// ISO-IR 166, TIS 620-2533 Thai, in G1: ESC - T. Computed rather than taken from a code page:
    /// 0xA1..0xDA and 0xDF..0xFB map to U+0E01..U+0E5B (0xA0 is NO-BREAK SPACE as in ISO 8859-11).
    /// </summary>
    public static CodeElement Thai { get; } = new("ISO-IR 166", [0x1B, 0x2D, 0x54], true, false,
        () => Gr96(i => i switch
        {
            0x20 => '\u00A0',
            >= 0x21 and <= 0x5A or >= 0x5F and <= 0x7B => (char)(0x0E00 + (i - 0x20)),
            _ => Undefined,
        }));

    /// <summary>ISO-IR 87, JIS X 0208 kanji, in G0: ESC $ B. Read through EUC-JP (code page 20932).</summary>
    public static CodeElement JisX0208 { get; } = new("ISO-IR 87", [0x1B, 0x24, 0x42], false, true,
        () => DoubleByteFromCodePage(20932));

    /// <summary>
    /// ISO-IR 159, JIS X 0212 supplementary kanji, in G0: ESC $ ( D. Windows code page 20932 does not take the
    /// EUC-JP SS3 (0x8F) form; it writes a JIS X 0212 code as its first byte with the high bit set and its second
    /// byte without (0x3021 is B0 21), so that is how the table is read.
    /// </summary>
    public static CodeElement JisX0212 { get; } = new("ISO-IR 159", [0x1B, 0x24, 0x28, 0x44], false, true,
        () => DoubleByteFromCodePage(20932, secondHigh: false, (0x2237, '~'), (0x2271, '\u2116')));

    /// <summary>
    /// ISO-IR 149, KS X 1001 Hangul and Hanja, in G1: ESC $ ) C. Read through UHC (code page 949), whose
    /// A1..FE x A1..FE range is exactly EUC-KR; .NET's 51949 misreads B4 D3 and maps unassigned codes to U+F8E7.
    /// </summary>
    public static CodeElement KsX1001 { get; } = new("ISO-IR 149", [0x1B, 0x24, 0x29, 0x43], true, true,
        () => DoubleByteFromCodePage(949));

    /// <summary>ISO-IR 58, GB 2312, in G1: ESC $ ) A. Read through GBK (code page 936), a superset of EUC-CN.</summary>
    public static CodeElement Gb2312 { get; } = new("ISO-IR 58", [0x1B, 0x24, 0x29, 0x41], true, true,
        () => DoubleByteFromCodePage(936));

    /// <summary>
    /// Escape sequences accepted when decoding, with the register they designate: every sequence of
    /// PS3.3 Tables C.12-3 and C.12-4, plus a few ISO 2022 spellings seen in the wild (ESC $ @ for the 1978
    /// kanji set, ESC $ ( B, ESC ( I for katakana in G0).
    /// </summary>
    public static IReadOnlyList<(byte[] Sequence, CodeElement Element, bool ToG1)> Designations { get; } = BuildDesignations();

    private static List<(byte[], CodeElement, bool)> BuildDesignations()
    {
        var list = new List<(byte[], CodeElement, bool)>();
        foreach (var e in new[]
                 {
                     Ascii, Romaji, Katakana, Latin1, Latin2, Latin3, Latin4, Cyrillic, Arabic, Greek, Hebrew, Latin5,
                     Thai, JisX0208, JisX0212, KsX1001, Gb2312,
                 })
        {
            list.Add((e.Escape, e, e.IsG1));
        }
        list.Add(([0x1B, 0x24, 0x40], JisX0208, false));
        list.Add(([0x1B, 0x24, 0x28, 0x42], JisX0208, false));
        list.Add(([0x1B, 0x24, 0x28, 0x40], JisX0208, false));
        list.Add(([0x1B, 0x28, 0x49], Katakana, false));
        return list;
    }

    /// <summary>An ISO 8859 upper half read from a Windows code page, with corrections to the Unicode mapping.</summary>
    private static CodeElement CodePage96(string name, char final, int codePage, params (int Byte, char Char)[] corrections) =>
        new(name, [0x1B, 0x2D, (byte)final], true, false, () =>
        {
            var enc = CodePages.Get(codePage);
            var b = new byte[1];
            var c = new char[2];
            return Gr96(i =>
            {
                foreach (var (code, ch) in corrections)
                {
                    if (code == i + 0x80)
                    {
                        return ch;
                    }
                }
                b[0] = (byte)(i + 0x80);
                // Windows tables put unassigned ISO 8859 codes in the private use area (e.g. 8859-3 A5).
                return enc.GetChars(b, 0, 1, c, 0) == 1 && c[0] is < '\uE000' or > '\uF8FF' ? c[0] : Undefined;
            });
        });

    private static char[] Gl94(Func<int, char> map)
    {
        var t = new char[96];
        Array.Fill(t, Undefined);
        for (var i = 0x21; i <= 0x7E; i++)
        {
            t[i - 0x20] = map(i);
        }
        return t;
    }

    private static char[] Gr96(Func<int, char> map)
    {
        var t = new char[96];
        for (var i = 0x20; i <= 0x7F; i++)
        {
            t[i - 0x20] = map(i);
        }
        return t;
    }

    /// <summary>
    /// Reads a 94x94 set through an EUC-style code page: code (b1, b2) is bytes (b1 | 0x80, b2 | 0x80).
    /// Private-use results (vendor user-defined areas) count as undefined; <paramref name="additions"/> fill
    /// codes the code page lacks.
    /// </summary>
    private static char[] DoubleByteFromCodePage(int codePage, bool secondHigh = true, params (int Code, char Char)[] additions)
    {
        var enc = CodePages.Get(codePage);
        var t = new char[DoubleByteSize];
        var bytes = new byte[2];
        var chars = new char[4];
        for (var i = 0; i < DoubleByteSize; i++)
        {
            bytes[0] = (byte)(0xA1 + (i / 94));
            bytes[1] = (byte)((secondHigh ? 0xA1 : 0x21) + (i % 94));
            var n = enc.GetChars(bytes, 0, 2, chars, 0);
            t[i] = n == 1 && chars[0] is < '\uE000' or > '\uF8FF' ? chars[0] : Undefined;
        }
        foreach (var (code, c) in additions)
        {
            ref var slot = ref t[(((code >> 8) - 0x21) * 94) + ((code & 0xFF) - 0x21)];
            if (slot == Undefined)
            {
                slot = c;
            }
        }
        return t;
    }
}

/// <summary>Code pages from <see cref="CodePagesEncodingProvider"/>, registered once.</summary>
internal static class CodePages
{
    static CodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Lenient decoder (undefined bytes become U+FFFD), strict encoder (throws EncoderFallbackException).</summary>
    public static Encoding Get(int codePage)
    {
        try
        {
            return Encoding.GetEncoding(codePage, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFD"));
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            throw new DicomException($"code page {codePage} is not available on this runtime", e);
        }
    }
}
