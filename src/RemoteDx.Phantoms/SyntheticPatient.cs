namespace RemoteDx.Phantoms;

/// <summary>A made-up patient: name, id and birth date, drawn so that no real person is described.</summary>
public sealed record SyntheticPatient(string Name, string Id, string BirthDate, char Sex, int Age)
{
    private static readonly string[] Onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "kl", "st", "tr"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"];
    private static readonly string[] Codas = ["", "n", "r", "s", "l", "th", "nd", "x"];

    public static SyntheticPatient Sample(PhantomRandom rng, char sex, int age, DateOnly studyDate)
    {
        var family = Word(rng, 2) + Word(rng, 1);
        var given = Word(rng, 1) + (sex == 'F' ? "a" : "o");
        var id = "PH" + rng.Next(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
        var birth = studyDate.AddYears(-age).AddDays(-rng.Next(0, 365));
        return new SyntheticPatient($"{Capital(family)}^{Capital(given)}", id, birth.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), sex, age);
    }

    private static string Word(PhantomRandom rng, int syllables)
    {
        var s = "";
        for (var i = 0; i < syllables; i++)
        {
            s += rng.Pick(Onsets) + rng.Pick(Vowels) + rng.Pick(Codas);
        }
        return s;
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
