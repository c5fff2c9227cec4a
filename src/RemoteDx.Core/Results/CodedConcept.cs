using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>A coded concept (PS3.3 Table 8.8-1 Code Sequence Macro): Code Value, Coding Scheme Designator, Code Meaning.</summary>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    /// <summary>One item of a Code Sequence.</summary>
    public Dataset ToItem()
    {
        var item = ResultHeader.NewItem();
        item.SetString(Tag.CodeValue, VR.SH, Value);
        item.SetString(Tag.CodingSchemeDesignator, VR.SH, Scheme);
        item.SetString(Tag.CodeMeaning, VR.LO, Meaning);
        return item;
    }

    public DicomSequence ToSequence(Tag tag) => new(tag, [ToItem()]);

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
