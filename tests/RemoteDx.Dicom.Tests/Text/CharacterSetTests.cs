using System.Text;
using System.Text.Json;
using RemoteDx.Dicom.Text;
using RemoteDx.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RemoteDx.Dicom.Tests.Text;

public sealed class CharacterSetTests
{
    private const byte Esc = 0x1B;

    private readonly ITestOutputHelper _output;

    public CharacterSetTests(ITestOutputHelper output) => _output = output;

    /// <summary>Bytes from a string whose chars are all &lt;= 0xFF (like a Python bytes literal).</summary>
    private static byte[] B(string s) => s.Select(c => checked((byte)c)).ToArray();

    private static DicomCharacterSet Cs(params string[] terms) => DicomCharacterSet.FromTerms(terms);

    // ---- code pages the implementation relies on ------------------------------------------------------

    [Theory]
    [InlineData(20932)] // EUC-JP: JIS X 0208 and JIS X 0212
    [InlineData(949)] // UHC, a superset of EUC-KR: KS X 1001
    [InlineData(936)] // GBK
    [InlineData(54936)] // GB18030
    [InlineData(28592)]
    [InlineData(28593)]
    [InlineData(28594)]
    [InlineData(28595)]
    [InlineData(28596)]
    [InlineData(28597)]
    [InlineData(28598)]
    [InlineData(28599)]
    public void CodePageExistsAtRuntime(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var enc = Encoding.GetEncoding(codePage);
        Assert.NotNull(enc);
        _output.WriteLine($"{codePage}: {enc.WebName}");
    }

    // ---- PS3.5 Annex H: Japanese --------------------------------------------------------------------

    private static readonly byte[] H31 = B(
        "Yamada^Tarou=\u001b$B;3ED\u001b(B^\u001b$BB@O:\u001b(B=\u001b$B$d$^$@\u001b(B^\u001b$B$?$m$&\u001b(B");

    private static readonly byte[] H32 = B(
        "\u00d4\u00cf\u00c0\u00de^\u00c0\u00db\u00b3=\u001b$B;3ED\u001b(J^\u001b$BB@O:\u001b(J=\u001b$B$d$^$@\u001b(J^\u001b$B$?$m$&\u001b(J");

    [Fact]
    public void AnnexH31_Iso2022Ir87_DecodesAndEncodes()
    {
        var cs = Cs("", "ISO 2022 IR 87");
        const string name = "Yamada^Tarou=山田^太郎=やまだ^たろう";
        Assert.Equal(name, cs.Decode(H31, VR.PN));
        Assert.Equal(H31, cs.Encode(name, VR.PN));
    }

    [Fact]
    public void AnnexH32_Ir13WithIr87_DecodesAndEncodes()
    {
        var cs = Cs("ISO 2022 IR 13", "ISO 2022 IR 87");
        const string name = "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう";
        Assert.Equal(name, cs.Decode(H32, VR.PN));
        Assert.Equal(H32, cs.Encode(name, VR.PN));
    }

    [Fact]
    public void Jis0208SecondByteBackslashIsNotADelimiter()
    {
        // 俑 is JIS X 0208 0x505C, 寨 is 0x5C4D: 0x5C inside a kanji code, not a value separator.
        var cs = Cs("", "ISO 2022 IR 87");
        var bytes = B("\u001b$BP\\\\M\u001b(B\\\u001b$BP\\\u001b(B");
        Assert.Equal("俑寨\\俑", cs.Decode(bytes, VR.LO));
        Assert.Equal(bytes, cs.Encode("俑寨\\俑", VR.LO));
    }

    [Fact]
    public void MultiValuedJapaneseResetsBeforeEachBackslash()
    {
        var cs = Cs("", "ISO 2022 IR 87");
        var bytes = cs.Encode("山田\\太郎", VR.LO);
        Assert.Equal(B("\u001b$B;3ED\u001b(B\\\u001b$BB@O:\u001b(B"), bytes);
        Assert.Equal("山田\\太郎", cs.Decode(bytes, VR.LO));
    }

    [Fact]
    public void SpaceInsideKanjiSwitchesBackToSingleByteG0()
    {
        var cs = Cs("", "ISO 2022 IR 87");
        var bytes = cs.Encode("山田 太郎", VR.LO);
        Assert.Equal(B("\u001b$B;3ED\u001b(B \u001b$BB@O:\u001b(B"), bytes);
        Assert.Equal("山田 太郎", cs.Decode(bytes, VR.LO));
        // A SPACE byte while JIS X 0208 is in G0 still reads as SPACE.
        Assert.Equal("山田 太郎", cs.Decode(B("\u001b$B;3ED B@O:\u001b(B"), VR.LO));
    }

    [Fact]
    public void KanjiInTextResetsAtLineEnds()
    {
        var cs = Cs("", "ISO 2022 IR 87");
        const string text = "山田\r\n太郎 Tarou";
        var bytes = cs.Encode(text, VR.LT);
        Assert.Equal(B("\u001b$B;3ED\u001b(B\r\n\u001b$BB@O:\u001b(B Tarou"), bytes);
        Assert.Equal(text, cs.Decode(bytes, VR.LT));
        // A decoder resets at CR even when the writer forgot to.
        Assert.Equal("山田\r\nA", cs.Decode(B("\u001b$B;3ED\r\nA"), VR.LT));
    }

    [Fact]
    public void JisX0212_Iso2022Ir159()
    {
        var cs = Cs("", "ISO 2022 IR 87", "ISO 2022 IR 159");
        // 丂 is JIS X 0212 0x3021 (EUC-JP 8F B0 A1).
        var bytes = B("\u001b$(D0!\u001b(B^\u001b$B;3\u001b(B");
        Assert.Equal("丂^山", cs.Decode(bytes, VR.PN));
        Assert.Equal(bytes, cs.Encode("丂^山", VR.PN));
    }

    [Fact]
    public void JisX0201RomajiAndKatakana()
    {
        var cs = Cs("ISO_IR 13");
        // G0 is JIS X 0201 Romaji: 0x5C is YEN SIGN in text, but the value separator in multi-valued VRs.
        Assert.Equal("A\u00a5B\u203e", cs.Decode(B("A\\B~"), VR.LT));
        Assert.Equal("A\\B", cs.Decode(B("A\\B"), VR.LO));
        Assert.Equal("ｱｲｳ\\ﾜ", cs.Decode(B("\u00b1\u00b2\u00b3\\\u00dc"), VR.SH));
        Assert.Equal(B("\u00b1\u00b2\u00b3\\\u00dc"), cs.Encode("ｱｲｳ\\ﾜ", VR.SH));
        Assert.Equal(B("1\\2"), cs.Encode("1\u00a52", VR.LT));
        var ex = Assert.Throws<DicomException>(() => cs.Encode("C:\\dir", VR.LT));
        Assert.Contains("U+005C", ex.Message);
    }

    [Fact]
    public void KatakanaDesignatedIntoG0()
    {
        // ESC ( I puts JIS X 0201 katakana in G0: 0x31 is ｱ.
        var cs = Cs("", "ISO 2022 IR 13");
        Assert.Equal("ｱA", cs.Decode(B("\u001b(I1\u001b(BA"), VR.LO));
    }

    // ---- PS3.5 Annex I: Korean ----------------------------------------------------------------------

    private static readonly byte[] I2 = B(
        "Hong^Gildong=\u001b$)C\u00fb\u00f3^\u001b$)C\u00d1\u00ce\u00d4\u00d7=\u001b$)C\u00c8\u00ab^\u001b$)C\u00b1\u00e6\u00b5\u00bf");

    [Fact]
    public void AnnexI2_Iso2022Ir149_DecodesAndEncodes()
    {
        var cs = Cs("", "ISO 2022 IR 149");
        const string name = "Hong^Gildong=洪^吉洞=홍^길동";
        Assert.Equal(name, cs.Decode(I2, VR.PN));
        Assert.Equal(I2, cs.Encode(name, VR.PN));
    }

    [Fact]
    public void KoreanTextRedesignatesAfterEachLine()
    {
        // PS3.5 I.2 (LT example): each line that holds Hangul begins with ESC $ ) C.
        var cs = Cs("", "ISO 2022 IR 149");
        const string text = "김희중\r\n표 Test";
        var bytes = cs.Encode(text, VR.LT);
        Assert.Equal(B("\u001b$)C\u00b1\u00e8\u00c8\u00f1\u00c1\u00df\r\n\u001b$)C\u00c7\u00a5 Test"), bytes);
        Assert.Equal(text, cs.Decode(bytes, VR.LT));
        // DCMTK's chrKoreanMulti.dcm also returns G0 to ASCII at the end.
        Assert.Equal("김희중", cs.Decode(B("\u001b$)C\u00b1\u00e8\u00c8\u00f1\u00c1\u00df\u001b(B"), VR.PN));
    }

    // ---- PS3.5 Annex J: UTF-8 and GB18030 ----------------------------------------------------------

    [Fact]
    public void AnnexJ1_Utf8()
    {
        var cs = Cs("ISO_IR 192");
        var bytes = B("Wang^XiaoDong=\u00e7\u008e\u008b^\u00e5\u00b0\u008f\u00e6\u009d\u00b1=");
        Assert.Equal("Wang^XiaoDong=王^小東=", cs.Decode(bytes, VR.PN));
        Assert.Equal(bytes, cs.Encode("Wang^XiaoDong=王^小東=", VR.PN));
    }

    [Fact]
    public void AnnexJ2_Gb18030()
    {
        var cs = Cs("GB18030");
        var bytes = B("Wang^XiaoDong=\u00cd\u00f5^\u00d0\u00a1\u00b6\u00ab=");
        Assert.Equal("Wang^XiaoDong=王^小东=", cs.Decode(bytes, VR.PN));
        Assert.Equal(bytes, cs.Encode("Wang^XiaoDong=王^小东=", VR.PN));
        // GB18030 reaches beyond the BMP.
        Assert.Equal("😀", cs.Decode(cs.Encode("😀", VR.LO), VR.LO));
    }

    // ---- PS3.5 Annex K: GB2312 (ISO 2022 IR 58) and GBK ---------------------------------------------

    [Fact]
    public void AnnexK_Iso2022Ir58()
    {
        var cs = Cs("", "ISO 2022 IR 58");
        var bytes = B("Zhang^XiaoDong=\u001b$)A\u00d5\u00c5^\u001b$)A\u00d0\u00a1\u00b6\u00ab=");
        Assert.Equal("Zhang^XiaoDong=张^小东=", cs.Decode(bytes, VR.PN));
        Assert.Equal(bytes, cs.Encode("Zhang^XiaoDong=张^小东=", VR.PN));
    }

    [Fact]
    public void AnnexK_Gbk()
    {
        var cs = Cs("GBK");
        var bytes = B("Wang^XiaoDong=\u00cd\u00f5^\u00d0\u00a1\u00b6\u00ab=");
        Assert.Equal("Wang^XiaoDong=王^小东=", cs.Decode(bytes, VR.PN));
        Assert.Equal(bytes, cs.Encode("Wang^XiaoDong=王^小东=", VR.PN));
    }

    [Fact]
    public void GbkTrailByteBackslashIsNotASeparator()
    {
        // 乗 is GBK 81 5C.
        var cs = Cs("GBK");
        var bytes = B("\u0081\\\\A");
        Assert.Equal("乗\\A", cs.Decode(bytes, VR.LO));
        Assert.Equal(bytes, cs.Encode("乗\\A", VR.LO));
        Assert.Throws<DicomException>(() => cs.Encode("😀", VR.LO));
    }

    // ---- single-byte sets ---------------------------------------------------------------------------

    [Theory]
    [InlineData("ISO_IR 100", "Buc^J\u00e9r\u00f4me", "Buc^Jérôme")]
    [InlineData("ISO_IR 100", "\u00c4neas^R\u00fcdiger", "Äneas^Rüdiger")]
    [InlineData("ISO_IR 126", "\u00c4\u00e9\u00ef\u00ed\u00f5\u00f3\u00e9\u00ef\u00f2", "Διονυσιος")]
    [InlineData("ISO_IR 127", "\u00e2\u00c8\u00c7\u00e6\u00ea^\u00e4\u00e6\u00d2\u00c7\u00d1", "قباني^لنزار")]
    [InlineData("ISO_IR 138", "\u00f9\u00f8\u00e5\u00ef^\u00e3\u00e1\u00e5\u00f8\u00e4", "שרון^דבורה")]
    [InlineData("ISO_IR 144", "\u00bb\u00ee\u00dace\u00dc\u00d1yp\u00d3", "Люкceмбypг")]
    [InlineData("ISO_IR 166", "\u00ca\u00c1\u00ba\u00d1\u00b5\u00d4", "สมบัติ")]
    public void SingleByteDecodeAndEncode(string term, string raw, string text)
    {
        var cs = Cs(term);
        Assert.Equal(text, cs.Decode(B(raw), VR.PN));
        Assert.Equal(B(raw), cs.Encode(text, VR.PN));
    }

    public static TheoryData<string[], string> RoundTripCases => new()
    {
        { ["ISO_IR 6"], "Smith^John=Smith^John" },
        { [""], "Smith^John" },
        { ["ISO_IR 100"], "Buc^Jérôme ÆØÅ ÿ" },
        { ["ISO_IR 101"], "Łukasz^Żółć Ďáblová" },
        { ["ISO_IR 109"], "Ħaġar^Ċensu ĝĥĵŝŭ" },
        { ["ISO_IR 110"], "Ķēniņš^Ģirts ŗūļ" },
        { ["ISO_IR 144"], "Люксембург^Иван Ёё" },
        { ["ISO_IR 127"], "قباني^لنزار" },
        { ["ISO_IR 126"], "Διονυσιος^Άλφα Ωω" },
        { ["ISO_IR 138"], "שרון^דבורה" },
        { ["ISO_IR 148"], "Öztürk^Şükrü Ğğİı" },
        { ["ISO_IR 166"], "สมชาย^ใจดี ๑๒๓" },
        { ["ISO_IR 13"], "ﾔﾏﾀﾞ^ﾀﾛｳ YAMADA" },
        { ["ISO_IR 192"], "Wang^XiaoDong=王^小東=Łódź Ωμέγα 😀" },
        { ["GB18030"], "Wang^XiaoDong=王^小东=𠀀" },
        { ["GBK"], "Wang^XiaoDong=王^小东=" },
        { ["ISO 2022 IR 6"], "Smith^John" },
        { ["ISO 2022 IR 100"], "Buc^Jérôme" },
        { ["ISO 2022 IR 101"], "Łukasz^Żółć" },
        { ["ISO 2022 IR 109"], "Ħaġar^Ċensu" },
        { ["ISO 2022 IR 110"], "Ķēniņš^Ģirts" },
        { ["ISO 2022 IR 144"], "Люксембург^Иван" },
        { ["ISO 2022 IR 127"], "قباني^لنزار" },
        { ["ISO 2022 IR 126"], "Διονυσιος" },
        { ["ISO 2022 IR 138"], "שרון^דבורה" },
        { ["ISO 2022 IR 148"], "Öztürk^Şükrü" },
        { ["ISO 2022 IR 166"], "สมชาย^ใจดี" },
        { ["ISO 2022 IR 13"], "ﾔﾏﾀﾞ^ﾀﾛｳ" },
        { ["", "ISO 2022 IR 87"], "Yamada^Tarou=山田^太郎=やまだ^たろう" },
        { ["ISO 2022 IR 13", "ISO 2022 IR 87"], "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう" },
        { ["", "ISO 2022 IR 87", "ISO 2022 IR 159"], "丂^山田=俑寨 表示" },
        { ["", "ISO 2022 IR 149"], "Hong^Gildong=洪^吉洞=홍^길동" },
        { ["", "ISO 2022 IR 58"], "Zhang^XiaoDong=张^小东=" },
        { ["ISO 2022 IR 100", "ISO 2022 IR 126", "ISO 2022 IR 144"], "Jérôme^Διονυσιος=Люксембург^é" },
        { ["", "ISO 2022 IR 100", "ISO 2022 IR 101", "ISO 2022 IR 148"], "Jérôme^Łukasz=Şükrü" },
        { ["", "ISO 2022 IR 149", "ISO 2022 IR 87"], "홍^길동=山田^やまだ" },
        { ["ISO 2022 IR 87"], "山田^Tarou 太郎" },
        { ["ISO 2022 IR 149"], "홍^길동 Hong" },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTripPersonName(string[] terms, string text)
    {
        var cs = Cs(terms);
        var bytes = cs.Encode(text, VR.PN);
        Assert.Equal(text, cs.Decode(bytes, VR.PN));
        AssertEndsInInitialState(terms, bytes);
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTripMultiValuedAndText(string[] terms, string text)
    {
        var cs = Cs(terms);
        var values = text.Replace('^', ' ').Replace('=', ' ');
        var multi = values + "\\" + values + "\\\\x";
        Assert.Equal(multi, cs.Decode(cs.Encode(multi, VR.LO), VR.LO));
        var lines = values + "\r\n" + values + "\t" + values + "\f";
        Assert.Equal(lines, cs.Decode(cs.Encode(lines, VR.LT), VR.LT));
        Assert.Equal(lines, cs.Decode(cs.Encode(lines, VR.UT), VR.UT));
    }

    /// <summary>A value must not end with a double-byte set in G0 (ESC $ B, ESC $ @, ESC $ ( D). PS3.5 6.1.2.5.3.</summary>
    private static void AssertEndsInInitialState(string[] terms, byte[] bytes)
    {
        var lastEsc = Array.LastIndexOf(bytes, Esc);
        if (lastEsc < 0 || lastEsc + 2 >= bytes.Length)
        {
            return;
        }
        var designatesDoubleByteG0 = bytes[lastEsc + 1] == (byte)'$' && bytes[lastEsc + 2] is (byte)'B' or (byte)'@' or (byte)'(';
        Assert.False(designatesDoubleByteG0, $"[{string.Join('\\', terms)}]: value ends with a double-byte set in G0");
    }

    [Fact]
    public void MixedSingleByteSetsSwitchG1AndRestoreAtDelimiters()
    {
        var cs = Cs("ISO 2022 IR 100", "ISO 2022 IR 126");
        var bytes = cs.Encode("é^Δé", VR.PN);
        // é is in the initial G1 (Latin-1); Δ needs ESC - F; the last é designates Latin-1 again.
        Assert.Equal(B("\u00e9^\u001b-F\u00c4\u001b-A\u00e9"), bytes);
        Assert.Equal("é^Δé", cs.Decode(bytes, VR.PN));
    }

    // ---- default repertoire, terms, errors ----------------------------------------------------------

    [Fact]
    public void DefaultReadsHighBytesAsLatin1ButEncodesStrictly()
    {
        var cs = DicomCharacterSet.Default;
        Assert.Equal(new[] { "ISO_IR 6" }, cs.Terms);
        Assert.Equal("Jérôme", cs.Decode(B("J\u00e9r\u00f4me"), VR.PN));
        Assert.Equal(B("Smith^John"), cs.Encode("Smith^John", VR.PN));
        var ex = Assert.Throws<DicomException>(() => cs.Encode("Jérôme", VR.PN));
        Assert.Contains("U+00E9", ex.Message);
        Assert.Equal("", cs.Decode(ReadOnlySpan<byte>.Empty, VR.LO));
        Assert.Empty(cs.Encode("", VR.LO));
    }

    [Fact]
    public void NonCharacterSetVrsAreDefaultRepertoire()
    {
        var cs = Cs("ISO_IR 144");
        // CS/AE/DA... ignore (0008,0005): 0xBB stays U+00BB rather than Cyrillic.
        Assert.Equal("A\u00bbB", cs.Decode(B("A\u00bbB"), VR.CS));
        Assert.Equal(B("ORIGINAL\\PRIMARY"), cs.Encode("ORIGINAL\\PRIMARY", VR.CS));
        Assert.Throws<DicomException>(() => cs.Encode("Люк", VR.CS));
        var jp = Cs("", "ISO 2022 IR 87");
        Assert.Equal(B("1.2.3"), jp.Encode("1.2.3", VR.UI));
    }

    [Fact]
    public void EmptyFirstTermIsDefaultRepertoire()
    {
        Assert.Equal("Smith", Cs("").Decode(B("Smith"), VR.PN));
        Assert.Equal("Smith", DicomCharacterSet.FromTerms([]).Decode(B("Smith"), VR.PN));
        Assert.Equal(new[] { "", "ISO 2022 IR 87" }, Cs("", "ISO 2022 IR 87").Terms);
    }

    [Fact]
    public void UnknownTermThrowsNamingIt()
    {
        var ex = Assert.Throws<DicomException>(() => DicomCharacterSet.FromTerms(["ISO_IR 999"]));
        Assert.Contains("ISO_IR 999", ex.Message);
        ex = Assert.Throws<DicomException>(() => DicomCharacterSet.FromTerms(["", "KLINGON"]));
        Assert.Contains("KLINGON", ex.Message);
    }

    [Fact]
    public void LenientFallsBackToLatin1()
    {
        var cs = DicomCharacterSet.FromTermsLenient(["KLINGON"], out var warning);
        Assert.NotNull(warning);
        Assert.Contains("KLINGON", warning);
        Assert.Equal("Jérôme", cs.Decode(B("J\u00e9r\u00f4me"), VR.PN));
        Assert.Equal(B("J\u00e9r\u00f4me"), cs.Encode("Jérôme", VR.PN));

        var ok = DicomCharacterSet.FromTermsLenient(["ISO_IR 100"], out var none);
        Assert.Null(none);
        Assert.Equal(new[] { "ISO_IR 100" }, ok.Terms);
    }

    [Theory]
    [InlineData("ISO_IR_100", "ISO_IR 100")]
    [InlineData("ISO IR 144", "ISO_IR 144")]
    [InlineData("iso-ir 126", "ISO_IR 126")]
    [InlineData("ISO-8859-1", "ISO_IR 100")]
    [InlineData("UTF-8", "ISO_IR 192")]
    [InlineData("ISO_2022_IR_87", "ISO 2022 IR 87")]
    public void LenientNormalisesMisspelledTerms(string given, string expected)
    {
        var cs = DicomCharacterSet.FromTermsLenient([given], out var warning);
        Assert.Equal(new[] { expected }, cs.Terms);
        Assert.NotNull(warning);
    }

    [Fact]
    public void Utf8InMultiValuedSetIsUsedAlone()
    {
        var cs = Cs("ISO_IR 192", "ISO 2022 IR 87");
        Assert.Equal("王", cs.Decode(B("\u00e7\u008e\u008b"), VR.LO));
    }

    [Fact]
    public void NonIso2022TermInLaterValueActsAsItsIso2022Form()
    {
        var cs = Cs("", "ISO_IR 100");
        Assert.Equal(B("\u001b-A\u00e9"), cs.Encode("é", VR.LO));
        Assert.Equal("é", cs.Decode(B("\u001b-A\u00e9"), VR.LO));
    }

    [Fact]
    public void UnknownEscapeSequenceIsKept()
    {
        var cs = Cs("", "ISO 2022 IR 87");
        Assert.Equal("\u001b(ZA", cs.Decode(B("\u001b(ZA"), VR.LO));
    }

    [Fact]
    public void UnencodableCharacterThrows()
    {
        var ex = Assert.Throws<DicomException>(() => Cs("ISO_IR 100").Encode("Ωmega", VR.LO));
        Assert.Contains("U+03A9", ex.Message);
        Assert.Throws<DicomException>(() => Cs("", "ISO 2022 IR 87").Encode("홍", VR.PN));
    }

    [Fact]
    public void FromTermsIsCached()
    {
        Assert.Same(Cs("", "ISO 2022 IR 87"), Cs("", "ISO 2022 IR 87"));
    }

    // ---- a second implementation: pydicom on DCMTK's character set test files -----------------------

    private const string PydicomScript = """
        import base64, glob, json, os
        import pydicom
        from pydicom.multival import MultiValue
        root = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'charset_files')
        out = []
        def walk(ds, terms, name):
            cs = ds.get_item(0x00080005)
            if cs is not None:
                v = cs.value
                if isinstance(v, bytes):
                    v = v.decode('ascii').split('\\')
                elif isinstance(v, str):
                    v = [v]
                terms = [t.strip() for t in v]
            for tag in list(ds.keys()):
                raw = ds.get_item(tag)
                rawvalue = raw.value
                elem = ds[tag]
                if elem.VR == 'SQ':
                    for item in elem.value:
                        walk(item, terms, name)
                    continue
                if elem.VR not in ('PN', 'LO', 'SH', 'LT', 'ST', 'UT', 'UC') or not isinstance(rawvalue, bytes):
                    continue
                val = elem.value
                text = '\\'.join(str(x) for x in val) if isinstance(val, MultiValue) else ('' if val is None else str(val))
                out.append(dict(file=name, terms=terms, vr=elem.VR, raw=base64.b64encode(rawvalue).decode(), expected=text))
        for f in sorted(glob.glob(os.path.join(root, '*.dcm'))):
            walk(pydicom.dcmread(f), [''], os.path.basename(f))
        print(json.dumps(out))
        """;

    [Fact]
    public void AgreesWithPydicomOnDcmtkCharsetFiles()
    {
        var json = RunPython(PydicomScript);
        using var doc = JsonDocument.Parse(json);
        var checkedCount = 0;
        var files = new HashSet<string>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var file = e.GetProperty("file").GetString()!;
            var terms = e.GetProperty("terms").EnumerateArray().Select(t => t.GetString()!).ToArray();
            var vr = VRInfo.Parse(e.GetProperty("vr").GetString()!);
            var raw = Convert.FromBase64String(e.GetProperty("raw").GetString()!);
            var expected = e.GetProperty("expected").GetString()!;
            var actual = DicomCharacterSet.FromTerms(terms).Decode(raw, vr);
            Assert.True(Normalise(expected, vr) == Normalise(actual, vr),
                $"{file} [{string.Join('\\', terms)}] {vr}: pydicom '{expected}', we '{actual}'");
            checkedCount++;
            files.Add(file);
        }
        _output.WriteLine($"{checkedCount} values in {files.Count} files agree with pydicom");
        Assert.True(checkedCount >= 15, $"only {checkedCount} values compared");
        Assert.Contains("chrH32.dcm", files);
        Assert.Contains("chrI2.dcm", files);
        Assert.Contains("chrX2.dcm", files);
        Assert.Contains("chrSQEncoding.dcm", files);
    }

    private const string TablesScript = """
        import json
        out = {}
        def table(name, make, codec):
            rows = []
            for b1 in range(0x21, 0x7F):
                for b2 in range(0x21, 0x7F):
                    try:
                        c = make(b1, b2).decode(codec)
                    except UnicodeDecodeError:
                        continue
                    if len(c) == 1:
                        rows.append([b1 * 256 + b2, c])
            out[name] = rows
        table('ISO 2022 IR 87', lambda a, b: bytes([a | 0x80, b | 0x80]), 'euc_jp')
        table('ISO 2022 IR 159', lambda a, b: bytes([0x8F, a | 0x80, b | 0x80]), 'euc_jp')
        table('ISO 2022 IR 149', lambda a, b: bytes([a | 0x80, b | 0x80]), 'euc_kr')
        table('ISO 2022 IR 58', lambda a, b: bytes([a | 0x80, b | 0x80]), 'gb2312')
        print(json.dumps(out))
        """;

    /// <summary>
    /// The 94x94 tables (built from .NET code pages) against Python's codecs, code by code. A handful of
    /// vendor mapping differences (e.g. WAVE DASH vs FULLWIDTH TILDE) are tolerated and printed.
    /// </summary>
    [Fact]
    public void DoubleByteTablesAgreeWithPythonCodecs()
    {
        var json = RunPython(TablesScript);
        using var doc = JsonDocument.Parse(json);
        foreach (var set in doc.RootElement.EnumerateObject())
        {
            var cs = Cs("", set.Name);
            var isG1 = set.Name is "ISO 2022 IR 149" or "ISO 2022 IR 58";
            var escape = set.Name switch
            {
                "ISO 2022 IR 87" => "\u001b$B",
                "ISO 2022 IR 159" => "\u001b$(D",
                "ISO 2022 IR 149" => "\u001b$)C",
                _ => "\u001b$)A",
            };
            int total = 0, differ = 0;
            foreach (var row in set.Value.EnumerateArray())
            {
                var code = row[0].GetInt32();
                var expected = row[1].GetString()!;
                var high = isG1 ? 0x80 : 0;
                var bytes = B(escape + (char)((code >> 8) | high) + (char)((code & 0xFF) | high));
                var actual = cs.Decode(bytes, VR.LO);
                total++;
                if (actual != expected)
                {
                    differ++;
                    if (differ <= 10)
                    {
                        _output.WriteLine($"{set.Name} {code:X4}: python U+{(int)expected[0]:X4}, we U+{(int)actual[0]:X4}");
                    }
                }
                else
                {
                    // And back again.
                    Assert.Equal(expected, cs.Decode(cs.Encode(expected, VR.LO), VR.LO));
                }
            }
            _output.WriteLine($"{set.Name}: {total} codes, {differ} differ");
            Assert.True(total > 5000, $"{set.Name}: python gave only {total} codes");
            Assert.True(differ <= total / 100, $"{set.Name}: {differ} of {total} codes differ from Python");
        }
    }

    [Fact]
    public void SingleByteTablesAgreeWithPythonCodecs()
    {
        const string script = """
            import json
            sets = {'ISO_IR 100': 'latin_1', 'ISO_IR 101': 'iso8859_2', 'ISO_IR 109': 'iso8859_3',
                    'ISO_IR 110': 'iso8859_4', 'ISO_IR 144': 'iso8859_5', 'ISO_IR 127': 'iso8859_6',
                    'ISO_IR 126': 'iso8859_7', 'ISO_IR 138': 'iso8859_8', 'ISO_IR 148': 'iso8859_9',
                    'ISO_IR 166': 'iso8859_11'}
            out = {}
            for term, codec in sets.items():
                rows = []
                for b in range(0xA0, 0x100):
                    try:
                        rows.append([b, bytes([b]).decode(codec)])
                    except UnicodeDecodeError:
                        rows.append([b, None])
                out[term] = rows
            print(json.dumps(out))
            """;
        var json = RunPython(script);
        using var doc = JsonDocument.Parse(json);
        var mismatches = new List<string>();
        foreach (var set in doc.RootElement.EnumerateObject())
        {
            var cs = Cs(set.Name);
            foreach (var row in set.Value.EnumerateArray())
            {
                var b = (byte)row[0].GetInt32();
                var expected = row[1].GetString() ?? "\uFFFD";
                var actual = cs.Decode([b], VR.LO);
                if (expected != actual)
                {
                    mismatches.Add($"{set.Name} {b:X2}: python U+{(int)expected[0]:X4}, we U+{(int)actual[0]:X4}");
                }
                else if (expected != "\uFFFD")
                {
                    Assert.Equal(new[] { b }, cs.Encode(expected, VR.LO));
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    /// <summary>pydicom trims padding and drops empty trailing PN component groups; so do we here.</summary>
    private static string Normalise(string s, VR vr) => string.Join('\\', s.Split('\\').Select(v =>
    {
        v = v.Trim(' ', '\0');
        return vr == VR.PN ? v.TrimEnd('=') : v;
    }));

    /// <summary>Runs a script under Debian's python3; a missing interpreter or pydicom fails the test.</summary>
    private static string RunPython(string script) => Tool.PythonOk(script);
}
