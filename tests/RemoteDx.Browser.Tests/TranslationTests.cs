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

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_language_has_every_English_key_with_the_same_placeholders(string lang)
    {
        var en = Load("en");
        var other = Load(lang);
        Assert.Equal(en.Keys.Order(StringComparer.Ordinal), other.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, text) in en)
        {
            Assert.False(string.IsNullOrWhiteSpace(other[key]), $"{lang}: {key} is empty");
            Assert.Equal(Placeholders(text), Placeholders(other[key]));
        }
    }

    [Fact]
    public void Every_string_the_scripts_ask_for_exists_in_English()
    {
        var en = Load("en");
        foreach (var file in Directory.GetFiles(Path.Combine(Paths.WwwRoot, "js"), "*.js"))
        {
            foreach (Match m in LiteralKey().Matches(File.ReadAllText(file)))
            {
                Assert.True(en.ContainsKey(m.Groups[1].Value), $"{Path.GetFileName(file)} asks for missing key {m.Groups[1].Value}");
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

    [GeneratedRegex(@"data-i18n=""([\w.-]+)""")]
    private static partial Regex StaticKey();
}
