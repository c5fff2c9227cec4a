using System.Reflection;

namespace RemoteDx.Dicom.Tests.Dictionary;

/// <summary>The named tags in Tag.Generated.cs and the dictionary table come from the same generator run
/// (tools/dictionary/generate.py); these pin that they agree.</summary>
public sealed class TagConstantTests
{
    private static readonly Dictionary<string, Tag> Named = typeof(Tag)
        .GetProperties(BindingFlags.Public | BindingFlags.Static)
        .Where(p => p.PropertyType == typeof(Tag))
        .ToDictionary(p => p.Name, p => (Tag)p.GetValue(null)!, StringComparer.Ordinal);

    [Fact]
    public void EveryKeywordOfASingleTagHasANamedTagWithItsValue()
    {
        var single = DicomDictionary.Entries.Where(e => e.Mask == 0xFFFFFFFF).ToList();
        Assert.All(single, e =>
        {
            Assert.True(Named.TryGetValue(e.Keyword, out var tag), $"no Tag.{e.Keyword}");
            Assert.Equal(e.Tag, tag);
        });
        Assert.Equal(single.Count, Named.Count);
    }

    [Fact]
    public void RepeatingEntriesHaveNoNamedTag()
    {
        // (60xx,3000) Overlay Data and (0020,31xx) Source Image IDs stand for many tags, not one.
        var repeating = DicomDictionary.Entries.Where(e => e.Mask != 0xFFFFFFFF).ToList();
        Assert.NotEmpty(repeating);
        Assert.Contains(repeating, e => e.Keyword == "OverlayData");
        Assert.All(repeating, e => Assert.False(Named.ContainsKey(e.Keyword), $"Tag.{e.Keyword} names a repeating entry"));
    }

    [Fact]
    public void NamedTagsAreTheStandardKeywords()
    {
        Assert.Equal(new Tag(0x0008, 0x1030), Tag.StudyDescription);
        Assert.Equal(new Tag(0x7FE0, 0x0010), Tag.PixelData);
        Assert.Equal(new Tag(0x0002, 0x0010), Tag.TransferSyntaxUID);
        Assert.Equal(new Tag(0x5200, 0x9229), Tag.SharedFunctionalGroupsSequence);
        Assert.Equal(new Tag(0xFFFE, 0xE000), Tag.Item);
        Assert.Equal(new Tag(0x0018, 0x1318), Tag.dBdt);
    }
}
