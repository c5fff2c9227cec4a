using System.Globalization;

namespace RemoteDx.Dicom;

/// <summary>A data element tag (group, element). PS3.5 7.1. A named constant for every data dictionary keyword
/// (<c>Tag.StudyDescription</c>) is generated into Tag.Generated.cs by tools/dictionary/generate.py.</summary>
public readonly partial record struct Tag(ushort Group, ushort Element) : IComparable<Tag>
{
    public Tag(uint value) : this((ushort)(value >> 16), (ushort)value) { }

    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Odd groups are private (PS3.5 7.8), except groups 0001, 0003, 0005, 0007 and FFFF which are invalid.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0008 && Group != 0xFFFF;

    /// <summary>(gggg,0010)-(gggg,00FF) in a private group reserve blocks. PS3.5 7.8.1.</summary>
    public bool IsPrivateCreator => IsPrivate && Element >= 0x0010 && Element <= 0x00FF;

    public bool IsGroupLength => Element == 0x0000;

    public int CompareTo(Tag other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");

    public static Tag Parse(string text)
    {
        var s = text.Trim().Trim('(', ')').Replace(",", "", StringComparison.Ordinal);
        if (s.Length != 8 || !uint.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
        {
            throw new FormatException($"not a DICOM tag: '{text}'");
        }
        return new Tag(v);
    }

    public static bool operator <(Tag a, Tag b) => a.Value < b.Value;
    public static bool operator >(Tag a, Tag b) => a.Value > b.Value;
    public static bool operator <=(Tag a, Tag b) => a.Value <= b.Value;
    public static bool operator >=(Tag a, Tag b) => a.Value >= b.Value;
}
