using RemoteDx.Core.Store;

namespace RemoteDx.Core.Tests.Store;

/// <summary>The one normalisation worklist search uses on both sides (what a study is indexed under, what is typed).</summary>
public sealed class SearchKeyTests
{
    [Theory]
    [InlineData("Müller", "muller")]
    [InlineData("MULLER", "muller")]
    [InlineData("MÜLLER^JOSÉ", "muller jose")]
    [InlineData("José", "jose")]
    [InlineData("Ærø", "aero")]
    [InlineData("Łódź^Straße", "lodz strasse")]
    [InlineData("Ñúñez  Ğül", "nunez gul")]
    [InlineData("  DOE^JANE^^^  ", "doe jane")]
    [InlineData("Yamada^Tarou=山田^太郎=やまだ^たろう", "yamada tarou 山田 太郎 やまだ たろう")]
    [InlineData("王小明", "王小明")]
    [InlineData("김민준", "김민준")]
    [InlineData("مُحَمَّد^عَلِي", "محمد علي")]
    [InlineData("ИВАНОВ^Ёлка", "иванов елка")]
    [InlineData("", "")]
    [InlineData("^^=", "")]
    [InlineData(null, "")]
    public void Normalize_folds_case_accents_and_PN_separators(string? input, string expected) =>
        Assert.Equal(expected, SearchKey.Normalize(input));

    [Fact]
    public void Spellings_of_one_name_meet_on_the_same_key()
    {
        Assert.Equal(SearchKey.Normalize("Müller"), SearchKey.Normalize("MULLER"));
        Assert.Equal(SearchKey.Normalize("José"), SearchKey.Normalize("JOSE"));
        // Composed and decomposed é (NFC vs NFD input) are the same.
        Assert.Equal(SearchKey.Normalize("Jos\u00e9"), SearchKey.Normalize("Jose\u0301"));
        Assert.Equal(SearchKey.Normalize("ÆRØ"), SearchKey.Normalize("aero"));
        Assert.NotEqual(SearchKey.Normalize("Muller"), SearchKey.Normalize("Mueller"));
    }

    [Fact]
    public void A_study_is_found_by_each_name_word_its_patient_id_and_its_accession_number()
    {
        Assert.Equal(["muller", "jose", "pid-7", "acc 42", "acc", "42"], SearchKey.Terms("Müller^José", "PID-7", "ACC 42"));
        Assert.Empty(SearchKey.Terms(null, " ", "^"));
        var longName = new string('a', 100);
        Assert.Equal(SearchKey.MaxTermLength, Assert.Single(SearchKey.Terms(longName, null, null)).Length);
    }

    [Fact]
    public void A_query_is_split_into_distinct_words_and_each_range_ends_above_every_continuation()
    {
        Assert.Equal(["doe", "ja"], SearchKey.QueryTerms("DOE^Ja doe"));
        // The stores compare terms as UTF-8 bytes: every term starting with the prefix lies in [prefix, UpperBound).
        var end = SearchKey.UpperBound("mul");
        foreach (var term in new[] { "mul", "muller", "mul\uffff", "mul\U0002A6D6", "mulzzz" })
        {
            Assert.True(!Utf8Less(term, "mul") && Utf8Less(term, end), term);
        }
        Assert.False(Utf8Less("mum", end));
        Assert.True(Utf8Less("mu", "mul"));
    }

    private static bool Utf8Less(string a, string b) =>
        System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)) < 0;
}
