using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace RemoteDx.Dicom.Text;

/// <summary>
/// Specific Character Set (0008,0005): decodes and encodes the values of LO, LT, PN, SH, ST, UC and UT.
/// PS3.5 6.1, PS3.3 C.12.1.1.2, with the worked examples of PS3.5 Annexes H (Japanese), I (Korean),
/// J (UTF-8, GB18030) and K (GB2312, GBK).
/// </summary>
/// <remarks>
/// <para>Policy: decoding is lenient, encoding is strict.</para>
/// <list type="bullet">
/// <item>The default repertoire (ISO_IR 6, or no (0008,0005)) decodes bytes 0x80..0xFF as ISO 8859-1, as
/// pydicom does, because such files are common; the same holds for any GR byte while nothing is designated
/// into G1. Undefined codes decode to U+FFFD. Escape sequences of every set in PS3.3 Tables C.12-3/C.12-4 are
/// honoured even where (0008,0005) does not list the set; an unknown escape sequence is kept as text.</item>
/// <item><see cref="Encode"/> throws <see cref="DicomException"/> for a character the declared sets cannot
/// represent (including any non-ASCII character under the default repertoire, and ASCII '\' or '~' where only
/// JIS X 0201 Romaji is available, since there 0x5C is YEN SIGN and 0x7E OVERLINE).</item>
/// <item>With code extensions (ISO 2022 terms, or more than one value), the initial G0/G1 sets are those of
/// value 1 (an empty value 1 is ISO 2022 IR 6). PS3.5 6.1.2.5.3: they are active again at the start of each
/// value and after each '\' (between values of multi-valued VRs), after '^' and '=' in PN, and after any
/// control character other than ESC (CR, LF, FF, TAB in LT/ST/UT). A delimiter byte is recognised only while a
/// single-byte G0 set is active: inside JIS X 0208 0x5C, 0x5E and 0x3D are halves of kanji codes. The encoder
/// re-designates the initial sets before each of those delimiters and at the end of the value, and switches G0
/// back to a single-byte set before a SPACE.</item>
/// <item>A double-byte set (ISO 2022 IR 87 / 159) as value 1 does not become the initial G0: ASCII does,
/// since delimiters could not be recognised otherwise. A G1 set as value 1 (e.g. ISO 2022 IR 149) is initially
/// designated, so bytes of it need no escape sequence.</item>
/// <item>ISO_IR 192, GB18030 and GBK take no code extensions (PS3.3 Table C.12-5); when one of them appears in
/// a multi-valued (0008,0005), it alone is used. A non-ISO 2022 single-byte term in value 2 or later (e.g.
/// "ISO_IR 100") is read as its ISO 2022 equivalent.</item>
/// <item>Padding is not touched: trailing spaces/NULs are the caller's concern.</item>
/// </list>
/// </remarks>
public sealed class DicomCharacterSet
{
    private const int CacheLimit = 256;
    private static readonly ConcurrentDictionary<string, (DicomCharacterSet Set, string? Warning)> Cache = new();

    /// <summary>Single-byte or ISO 2022 terms: the G0 and G1 sets each designates. PS3.3 Tables C.12-2..C.12-4.</summary>
    private static readonly Dictionary<string, (CodeElement? G0, CodeElement? G1, bool Iso2022)> Iso2022Terms = new()
    {
        ["ISO_IR 6"] = (CodeElement.Ascii, null, false),
        ["ISO_IR 100"] = (CodeElement.Ascii, CodeElement.Latin1, false),
        ["ISO_IR 101"] = (CodeElement.Ascii, CodeElement.Latin2, false),
        ["ISO_IR 109"] = (CodeElement.Ascii, CodeElement.Latin3, false),
        ["ISO_IR 110"] = (CodeElement.Ascii, CodeElement.Latin4, false),
        ["ISO_IR 144"] = (CodeElement.Ascii, CodeElement.Cyrillic, false),
        ["ISO_IR 127"] = (CodeElement.Ascii, CodeElement.Arabic, false),
        ["ISO_IR 126"] = (CodeElement.Ascii, CodeElement.Greek, false),
        ["ISO_IR 138"] = (CodeElement.Ascii, CodeElement.Hebrew, false),
        ["ISO_IR 148"] = (CodeElement.Ascii, CodeElement.Latin5, false),
        ["ISO_IR 166"] = (CodeElement.Ascii, CodeElement.Thai, false),
        ["ISO_IR 13"] = (CodeElement.Romaji, CodeElement.Katakana, false),
        ["ISO 2022 IR 6"] = (CodeElement.Ascii, null, true),
        ["ISO 2022 IR 100"] = (CodeElement.Ascii, CodeElement.Latin1, true),
        ["ISO 2022 IR 101"] = (CodeElement.Ascii, CodeElement.Latin2, true),
        ["ISO 2022 IR 109"] = (CodeElement.Ascii, CodeElement.Latin3, true),
        ["ISO 2022 IR 110"] = (CodeElement.Ascii, CodeElement.Latin4, true),
        ["ISO 2022 IR 144"] = (CodeElement.Ascii, CodeElement.Cyrillic, true),
        ["ISO 2022 IR 127"] = (CodeElement.Ascii, CodeElement.Arabic, true),
        ["ISO 2022 IR 126"] = (CodeElement.Ascii, CodeElement.Greek, true),
        ["ISO 2022 IR 138"] = (CodeElement.Ascii, CodeElement.Hebrew, true),
        ["ISO 2022 IR 148"] = (CodeElement.Ascii, CodeElement.Latin5, true),
        ["ISO 2022 IR 166"] = (CodeElement.Ascii, CodeElement.Thai, true),
        ["ISO 2022 IR 13"] = (CodeElement.Romaji, CodeElement.Katakana, true),
        ["ISO 2022 IR 87"] = (CodeElement.JisX0208, null, true),
        ["ISO 2022 IR 159"] = (CodeElement.JisX0212, null, true),
        ["ISO 2022 IR 149"] = (null, CodeElement.KsX1001, true),
        ["ISO 2022 IR 58"] = (null, CodeElement.Gb2312, true),
    };

    /// <summary>Multi-byte sets without code extensions. PS3.3 Table C.12-5.</summary>
    private static readonly Dictionary<string, int> WholeValueTerms = new()
    {
        ["ISO_IR 192"] = 65001,
        ["GB18030"] = 54936,
        ["GBK"] = 936,
    };

    private readonly Encoding? _whole;
    private readonly CodeElement _initialG0;
    private readonly CodeElement? _initialG1;
    private readonly bool _extensions;
    private readonly CodeElement[] _designatable;

    private DicomCharacterSet(IReadOnlyList<string> terms, Encoding? whole, CodeElement initialG0, CodeElement? initialG1,
        bool extensions, CodeElement[] designatable)
    {
        Terms = terms;
        _whole = whole;
        _initialG0 = initialG0;
        _initialG1 = initialG1;
        _extensions = extensions;
        _designatable = designatable;
    }

    /// <summary>The default repertoire, ISO_IR 6 (see the remarks for how bytes above 0x7F are read).</summary>
    public static DicomCharacterSet Default { get; } =
        new(["ISO_IR 6"], null, CodeElement.Ascii, null, false, []);

    /// <summary>The values of (0008,0005) this set was made from (for <see cref="FromTermsLenient"/>, as resolved).</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>
    /// The character set named by the values of (0008,0005). Value 1 may be empty (the default repertoire).
    /// Throws <see cref="DicomException"/> naming the first term that is not a defined term.
    /// </summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var key = "S\u0001" + string.Join('\u0000', terms);
        if (Cache.TryGetValue(key, out var hit))
        {
            return hit.Set;
        }
        var set = Create(terms, lenient: false, out _);
        Remember(key, set, null);
        return set;
    }

    /// <summary>
    /// As <see cref="FromTerms"/>, but never throws for a bad term: common misspellings ("ISO_IR_100",
    /// "ISO IR 100", "ISO-8859-1", "UTF-8", "GB2312") are mapped to the defined term, and anything else falls back
    /// to ISO 8859-1 (Latin-1). <paramref name="warning"/> says what was changed, or is null.
    /// </summary>
    public static DicomCharacterSet FromTermsLenient(IReadOnlyList<string> terms, out string? warning)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var key = "L\u0001" + string.Join('\u0000', terms);
        if (Cache.TryGetValue(key, out var hit))
        {
            warning = hit.Warning;
            return hit.Set;
        }
        var set = Create(terms, lenient: true, out warning);
        Remember(key, set, warning);
        return set;
    }

    private static void Remember(string key, DicomCharacterSet set, string? warning)
    {
        if (Cache.Count < CacheLimit)
        {
            Cache.TryAdd(key, (set, warning));
        }
    }

    private static DicomCharacterSet Create(IReadOnlyList<string> given, bool lenient, out string? warning)
    {
        var warnings = new List<string>();
        var resolved = new string[given.Count];
        for (var i = 0; i < given.Count; i++)
        {
            var term = (given[i] ?? "").Trim();
            if (term.Length == 0 || Iso2022Terms.ContainsKey(term) || WholeValueTerms.ContainsKey(term))
            {
                resolved[i] = term;
                continue;
            }
            if (!lenient)
            {
                throw new DicomException($"Specific Character Set (0008,0005) term '{given[i]}' is not a defined term (PS3.3 C.12.1.1.2)");
            }
            var guess = Normalize(term);
            if (guess is not null)
            {
                warnings.Add($"Specific Character Set term '{given[i]}' read as '{guess}'");
                resolved[i] = guess;
            }
            else
            {
                var fallback = i == 0 ? "ISO_IR 100" : "ISO 2022 IR 100";
                warnings.Add($"Specific Character Set term '{given[i]}' is unknown; using '{fallback}' (Latin-1)");
                resolved[i] = fallback;
            }
        }

        var nonEmpty = resolved.Count(t => t.Length > 0);

        // PS3.3 Table C.12-5: ISO_IR 192, GB18030 and GBK are used without code extensions.
        var wholeTerm = resolved.FirstOrDefault(WholeValueTerms.ContainsKey);
        if (wholeTerm is not null)
        {
            if (nonEmpty > 1)
            {
                warnings.Add($"'{wholeTerm}' cannot be combined with other character sets; using it alone");
            }
            warning = warnings.Count == 0 ? null : string.Join("; ", warnings);
            var terms = lenient ? resolved : given.ToArray();
            return new DicomCharacterSet(terms, CodePages.Get(WholeValueTerms[wholeTerm]), CodeElement.Ascii, null, false, []);
        }

        // PS3.5 6.1.2.5.2: more than one value, or an ISO 2022 term, means code extensions are in use.
        var extensions = resolved.Length > 1 || resolved.Any(t => t.Length > 0 && Iso2022Terms[t].Iso2022);
        var designatable = new List<CodeElement>();
        CodeElement initialG0 = CodeElement.Ascii;
        CodeElement? initialG1 = null;
        for (var i = 0; i < resolved.Length; i++)
        {
            // PS3.3 C.12.1.1.2: an empty value 1 stands for ISO 2022 IR 6; empty later values carry nothing.
            if (resolved[i].Length == 0 && i > 0)
            {
                continue;
            }
            var (g0, g1, _) = resolved[i].Length == 0 ? Iso2022Terms["ISO 2022 IR 6"] : Iso2022Terms[resolved[i]];
            if (i == 0)
            {
                // A double-byte G0 set cannot be the initial state: delimiters would be unrecognisable.
                if (g0 is { IsDoubleByte: false })
                {
                    initialG0 = g0;
                }
                initialG1 = g1;
            }
            foreach (var e in new[] { g0, g1 })
            {
                if (e is not null && !designatable.Contains(e))
                {
                    designatable.Add(e);
                }
            }
        }
        if (!designatable.Contains(initialG0))
        {
            // e.g. a lone "ISO 2022 IR 87": ASCII is the initial G0, so it must be designatable again.
            designatable.Insert(0, initialG0);
        }

        warning = warnings.Count == 0 ? null : string.Join("; ", warnings);
        return new DicomCharacterSet(lenient ? resolved : given.ToArray(), null, initialG0, initialG1, extensions,
            extensions ? designatable.ToArray() : []);
    }

    /// <summary>Maps a non-conformant spelling of a term to the defined term, or null.</summary>
    private static string? Normalize(string term)
    {
        var compact = new string(term.ToUpperInvariant().Where(c => c is not (' ' or '_' or '-')).ToArray());
        string? candidate = null;
        if (compact.StartsWith("ISO2022IR", StringComparison.Ordinal))
        {
            candidate = "ISO 2022 IR " + compact[9..];
        }
        else if (compact.StartsWith("ISOIR", StringComparison.Ordinal))
        {
            candidate = "ISO_IR " + compact[5..];
        }
        else if (compact.StartsWith("ISO8859", StringComparison.Ordinal) || compact.StartsWith("LATIN", StringComparison.Ordinal))
        {
            var part = compact.StartsWith("LATIN", StringComparison.Ordinal) ? "L" + compact[5..] : compact[7..];
            candidate = part switch
            {
                "1" or "L1" => "ISO_IR 100",
                "2" or "L2" => "ISO_IR 101",
                "3" or "L3" => "ISO_IR 109",
                "4" or "L4" => "ISO_IR 110",
                "5" => "ISO_IR 144",
                "6" => "ISO_IR 127",
                "7" => "ISO_IR 126",
                "8" => "ISO_IR 138",
                "9" or "L5" => "ISO_IR 148",
                "11" => "ISO_IR 166",
                _ => null,
            };
        }
        else
        {
            candidate = compact switch
            {
                "UTF8" or "ISOIR192" => "ISO_IR 192",
                "GB18030" => "GB18030",
                "GBK" or "CP936" => "GBK",
                "GB2312" or "EUCCN" => "ISO 2022 IR 58",
                _ => null,
            };
        }
        return candidate is not null && (Iso2022Terms.ContainsKey(candidate) || WholeValueTerms.ContainsKey(candidate))
            ? candidate
            : null;
    }

    // ---- decoding ----------------------------------------------------------------------------------------

    /// <summary>
    /// Decodes a whole element value (all its values, with their '\' separators). VRs other than
    /// LO, LT, PN, SH, ST, UC, UT are in the default repertoire and decoded byte for byte (ISO 8859-1). PS3.5 6.1.2.3.
    /// </summary>
    public string Decode(ReadOnlySpan<byte> bytes, VR vr)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }
        if (!VRInfo.UsesCharacterSet(vr))
        {
            return Encoding.Latin1.GetString(bytes);
        }
        if (_whole is not null)
        {
            return _whole.GetString(bytes);
        }
        if (ReferenceEquals(_initialG0, CodeElement.Ascii) && bytes.IndexOfAnyExceptInRange((byte)0x00, (byte)0x7F) < 0
            && !bytes.Contains((byte)0x1B))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        var rented = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var n = DecodeIso2022(bytes, vr, rented);
            return new string(rented, 0, n);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>ISO 2022 decoding, PS3.5 6.1.2.5. Every byte yields at most one char, so <paramref name="output"/> needs bytes.Length.</summary>
    private int DecodeIso2022(ReadOnlySpan<byte> bytes, VR vr, char[] output)
    {
        var multiValued = VRInfo.IsMultiValuedString(vr);
        var pn = vr == VR.PN;
        var g0 = _initialG0;
        var g1 = _initialG1;
        var n = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == 0x1B)
            {
                if (TryMatchEscape(bytes[i..], out var element, out var toG1, out var length))
                {
                    if (toG1)
                    {
                        g1 = element;
                    }
                    else
                    {
                        g0 = element;
                    }
                    i += length;
                }
                else
                {
                    output[n++] = (char)b;
                    i++;
                }
                continue;
            }
            if (b < 0x20 || b == 0x7F)
            {
                // PS3.5 6.1.2.5.3: the initial sets are active again after any control character other than ESC.
                output[n++] = (char)b;
                i++;
                g0 = _initialG0;
                g1 = _initialG1;
                continue;
            }
            if (b == 0x20)
            {
                // SPACE is outside every 94-character set and so means SPACE whatever is in G0 (ISO/IEC 2022 6.3.3).
                output[n++] = ' ';
                i++;
                continue;
            }
            if (b < 0x80)
            {
                if (g0.IsDoubleByte)
                {
                    if (i + 1 < bytes.Length && bytes[i + 1] is >= 0x21 and <= 0x7E)
                    {
                        output[n++] = g0.Decode(b, bytes[i + 1]);
                        i += 2;
                    }
                    else
                    {
                        output[n++] = CodeElement.Undefined;
                        i++;
                    }
                    continue;
                }
                // PS3.5 6.1.2.5.3: '\' between values, '^' and '=' in PN restore the initial sets.
                if (g0.KeepsDelimiters && ((b == 0x5C && multiValued) || (pn && b is 0x5E or 0x3D)))
                {
                    output[n++] = (char)b;
                    i++;
                    g0 = _initialG0;
                    g1 = _initialG1;
                    continue;
                }
                output[n++] = g0.Decode(b);
                i++;
                continue;
            }

            // GR: 0x80..0xFF.
            if (g1 is null)
            {
                output[n++] = (char)b; // lenient: read as ISO 8859-1, see the remarks
                i++;
            }
            else if (b < 0xA0)
            {
                output[n++] = (char)b; // C1 control
                i++;
            }
            else if (g1.IsDoubleByte)
            {
                if (b != 0xFF && i + 1 < bytes.Length && bytes[i + 1] is >= 0xA1 and <= 0xFE)
                {
                    output[n++] = g1.Decode(b & 0x7F, bytes[i + 1] & 0x7F);
                    i += 2;
                }
                else
                {
                    output[n++] = CodeElement.Undefined;
                    i++;
                }
            }
            else
            {
                output[n++] = g1.Decode(b & 0x7F);
                i++;
            }
        }
        return n;
    }

    private static bool TryMatchEscape(ReadOnlySpan<byte> at, out CodeElement element, out bool toG1, out int length)
    {
        foreach (var (sequence, e, g1) in CodeElement.Designations)
        {
            if (at.StartsWith(sequence))
            {
                element = e;
                toG1 = g1;
                length = sequence.Length;
                return true;
            }
        }
        element = CodeElement.Ascii;
        toG1 = false;
        length = 0;
        return false;
    }

    // ---- encoding ----------------------------------------------------------------------------------------

    /// <summary>
    /// Encodes a whole element value (values separated by '\'). With code extensions, emits the escape sequences
    /// needed and re-designates the initial sets where PS3.5 6.1.2.5.3 requires. Throws <see cref="DicomException"/>
    /// for a character the declared character sets cannot represent. No padding is added.
    /// </summary>
    public byte[] Encode(string value, VR vr)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return [];
        }
        if (!VRInfo.UsesCharacterSet(vr))
        {
            var bad = value.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
            if (bad >= 0)
            {
                throw Unencodable(value, bad, $"the default repertoire (VR {VRInfo.Name(vr)})");
            }
            return Encoding.ASCII.GetBytes(value);
        }
        if (_whole is not null)
        {
            try
            {
                return _whole.GetBytes(value);
            }
            catch (EncoderFallbackException e)
            {
                var at = e.Index >= 0 && e.Index < value.Length ? e.Index : 0;
                throw new DicomException($"{Describe(value, at)} cannot be encoded in {string.Join('\\', Terms)}", e);
            }
        }
        return EncodeIso2022(value, vr);
    }

    private byte[] EncodeIso2022(string value, VR vr)
    {
        var multiValued = VRInfo.IsMultiValuedString(vr);
        var pn = vr == VR.PN;
        var output = new ArrayBufferWriter<byte>(value.Length + 8);
        var g0 = _initialG0;
        var g1 = _initialG1;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x20 || c == 0x7F || (c == '\\' && multiValued) || (pn && c is '^' or '='))
            {
                // PS3.5 6.1.2.5.3: the initial sets must be active before these.
                RestoreInitial(output, ref g0, ref g1);
                Put(output, (byte)c);
                continue;
            }
            if (c == ' ')
            {
                if (g0.IsDoubleByte)
                {
                    Designate(output, _initialG0, ref g0, ref g1);
                }
                Put(output, 0x20);
                continue;
            }
            if (TryPut(output, g0, c) || (g1 is not null && TryPut(output, g1, c)))
            {
                continue;
            }
            var done = false;
            foreach (var e in _designatable)
            {
                if (e.TryEncode(c, out _))
                {
                    Designate(output, e, ref g0, ref g1);
                    TryPut(output, e, c);
                    done = true;
                    break;
                }
            }
            if (!done)
            {
                throw Unencodable(value, i, string.Join('\\', Terms) is { Length: > 0 } t ? t : "ISO_IR 6");
            }
        }
        // End of the value: leave the initial sets active, as in PS3.5 H.3.1.
        RestoreInitial(output, ref g0, ref g1);
        return output.WrittenSpan.ToArray();
    }

    private void RestoreInitial(ArrayBufferWriter<byte> output, ref CodeElement g0, ref CodeElement? g1)
    {
        if (!ReferenceEquals(g0, _initialG0))
        {
            Designate(output, _initialG0, ref g0, ref g1);
        }
        if (!ReferenceEquals(g1, _initialG1))
        {
            // With nothing initially in G1 there is no sequence to emit: decoders reset G1 at the same point.
            if (_initialG1 is not null)
            {
                Designate(output, _initialG1, ref g0, ref g1);
            }
            g1 = _initialG1;
        }
    }

    private static void Designate(ArrayBufferWriter<byte> output, CodeElement e, ref CodeElement g0, ref CodeElement? g1)
    {
        output.Write(e.Escape);
        if (e.IsG1)
        {
            g1 = e;
        }
        else
        {
            g0 = e;
        }
    }

    private static bool TryPut(ArrayBufferWriter<byte> output, CodeElement e, char c)
    {
        if (!e.TryEncode(c, out var code))
        {
            return false;
        }
        var high = e.IsG1 ? 0x80 : 0;
        if (e.IsDoubleByte)
        {
            var span = output.GetSpan(2);
            span[0] = (byte)((code >> 8) | high);
            span[1] = (byte)((code & 0xFF) | high);
            output.Advance(2);
        }
        else
        {
            Put(output, (byte)(code | high));
        }
        return true;
    }

    private static void Put(ArrayBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static DicomException Unencodable(string value, int index, string where) =>
        new($"{Describe(value, index)} cannot be encoded in {where}; set a Specific Character Set (0008,0005) that has it (e.g. ISO_IR 192)");

    private static string Describe(string value, int index)
    {
        var rune = Rune.TryGetRuneAt(value, index, out var r) ? r : Rune.ReplacementChar;
        return $"character '{rune}' (U+{rune.Value:X4}) at index {index}";
    }

    public override string ToString() => string.Join('\\', Terms);
}
