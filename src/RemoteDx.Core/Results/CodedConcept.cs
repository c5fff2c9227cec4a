using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>A coded concept (PS3.3 Table 8.8-1 Code Sequence Macro): Code Value, Coding Scheme Designator, Code Meaning.</summary>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    /// <summary>One item of a Code Sequence.</summary>
    public Dataset ToItem()
    {
        var item = ResultHeader.NewItem();
        item.SetString(new Tag(0x0008, 0x0100), VR.SH, Value);
        item.SetString(new Tag(0x0008, 0x0102), VR.SH, Scheme);
        item.SetString(new Tag(0x0008, 0x0104), VR.LO, Meaning);
        return item;
    }

    public DicomSequence ToSequence(Tag tag) => new(tag, [ToItem()]);

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
