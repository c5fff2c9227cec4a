using System.Text.Json;
using System.Text.RegularExpressions;
using RemoteDx.Browser.Tests.Support;

namespace RemoteDx.Browser.Tests;

/// <summary>The UI strings: every language has every key, with the same placeholders, and no empty or untranslated
/// values hiding in a non-English file.</summary>
public sealed partial class TranslationTests
{
    public static TheoryData<string> Languages => new() { "zh-CN", "fr", "es", "pt", "ru", "ar" };

    private static Dictionary<string, string> Load(string lang) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Paths.WwwRoot, "i18n", lang + ".json")))!;

    /// <summary>CLDR plural categories (cardinal) per language, as Intl.PluralRules reports them.</summary>
    private static readonly Dictionary<string, string[]> PluralCategories = new()
    {
        ["en"] = ["one", "other"],
        ["zh-CN"] = ["other"],
        ["fr"] = ["one", "many", "other"],
        ["es"] = ["one", "many", "other"],
        ["pt"] = ["one", "many", "other"],
        ["ru"] = ["one", "few", "many", "other"],
        ["ar"] = ["zero", "one", "two", "few", "many", "other"],
    };

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_language_has_every_English_key_with_the_same_placeholders(string lang)
    {
        var en = Load("en");
        var other = Load(lang);
        Assert.Equal(Singular(en).Order(StringComparer.Ordinal), Singular(other).Order(StringComparer.Ordinal));
        foreach (var (key, text) in en.Where(e => !e.Key.Contains('#')))
        {
            Assert.False(string.IsNullOrWhiteSpace(other[key]), $"{lang}: {key} is empty");
            Assert.Equal(Placeholders(text), Placeholders(other[key]));
        }
    }

    /// <summary>A plural string ("worklist.count#few") has exactly the forms its language uses, each non-empty and
    /// with no placeholder English lacks; a form may spell the number out ("فحصان") and drop {n}.</summary>
    [Theory]
    [MemberData(nameof(Languages))]
    [InlineData("en")]
    public void Plural_strings_have_every_form_the_language_uses(string lang)
    {
        var en = Load("en");
        var other = Load(lang);
        var bases = en.Keys.Where(k => k.Contains('#')).Select(k => k[..k.IndexOf('#')]).Distinct().ToList();
        Assert.NotEmpty(bases);
        foreach (var baseKey in bases)
        {
            var allowed = en.Where(e => e.Key.StartsWith(baseKey + "#", StringComparison.Ordinal)).SelectMany(e => Placeholders(e.Value)).ToHashSet();
            var forms = other.Where(e => e.Key.StartsWith(baseKey + "#", StringComparison.Ordinal)).ToList();
            Assert.Equal(PluralCategories[lang].Order(StringComparer.Ordinal), forms.Select(f => f.Key[(baseKey.Length + 1)..]).Order(StringComparer.Ordinal));
            foreach (var (key, text) in forms)
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"{lang}: {key} is empty");
                Assert.All(Placeholders(text), p => Assert.Contains(p, allowed));
            }
            Assert.Contains("{n}", Placeholders(other[baseKey + "#other"]));
        }
    }

    private static IEnumerable<string> Singular(Dictionary<string, string> strings) =>
        strings.Keys.Select(k => k.Contains('#') ? k[..k.IndexOf('#')] + "#" : k).Distinct();

    [Fact]
    public void Every_string_the_scripts_ask_for_exists_in_English()
    {
        var en = Load("en");
        foreach (var file in Directory.GetFiles(Path.Combine(Paths.WwwRoot, "js"), "*.js"))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in LiteralKey().Matches(text))
            {
                Assert.True(en.ContainsKey(m.Groups[1].Value), $"{Path.GetFileName(file)} asks for missing key {m.Groups[1].Value}");
            }
            foreach (Match m in PluralKey().Matches(text))
            {
                Assert.True(en.ContainsKey(m.Groups[1].Value + "#other"), $"{Path.GetFileName(file)} asks for missing plural {m.Groups[1].Value}");
            }
        }
        foreach (Match m in StaticKey().Matches(File.ReadAllText(Path.Combine(Paths.WwwRoot, "index.html"))))
        {
            Assert.True(en.ContainsKey(m.Groups[1].Value), $"index.html asks for missing key {m.Groups[1].Value}");
        }
    }

    private static List<string> Placeholders(string s) =>
        Placeholder().Matches(s).Select(m => m.Value).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\bt\('([a-zA-Z]+\.[\w.-]+)'")]
    private static partial Regex LiteralKey();

    [GeneratedRegex(@"\btn\('([a-zA-Z]+\.[\w.-]+)'")]
    private static partial Regex PluralKey();

    [GeneratedRegex(@"data-i18n=""([\w.-]+)""")]
    private static partial Regex StaticKey();
}
