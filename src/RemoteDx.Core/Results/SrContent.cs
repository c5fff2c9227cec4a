using System.Globalization;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>SR content items (PS3.3 C.17.3 SR Document Content Module, Table C.17-4 Content Item Macro and C.18 value
/// types). Each call returns a Content Sequence item.</summary>
internal static class SrContent
{
    public static readonly Tag ContentSequence = new(0x0040, 0xA730);
    private static readonly Tag RelationshipType = new(0x0040, 0xA010);
    private static readonly Tag ValueType = new(0x0040, 0xA040);
    private static readonly Tag ConceptNameCodeSequence = new(0x0040, 0xA043);
    private static readonly Tag ContinuityOfContent = new(0x0040, 0xA050);
    private static readonly Tag ContentTemplateSequence = new(0x0040, 0xA504);

    public static Dataset Container(string? relationship, CodedConcept name, IEnumerable<Dataset> children, string? template = null)
    {
        var item = Item(relationship, "CONTAINER", name);
        item.SetString(ContinuityOfContent, VR.CS, "SEPARATE");
        if (template is not null)
        {
            var t = ResultHeader.NewItem();
            t.SetString(new Tag(0x0008, 0x0105), VR.CS, "DCMR");     // Mapping Resource
            t.SetString(new Tag(0x0040, 0xDB00), VR.CS, template);   // Template Identifier
            item.Set(new DicomSequence(ContentTemplateSequence, [t]));
        }
        item.Set(new DicomSequence(ContentSequence, children));
        return item;
    }

    /// <summary>The root content item's attributes, written into the dataset itself (PS3.3 C.17.3).</summary>
    public static void Root(Dataset ds, CodedConcept name, string template, IEnumerable<Dataset> children)
    {
        foreach (var e in Container(null, name, children, template))
        {
            ds.Set(e);
        }
    }

    public static Dataset Code(string relationship, CodedConcept name, CodedConcept value)
    {
        var item = Item(relationship, "CODE", name);
        item.Set(value.ToSequence(new Tag(0x0040, 0xA168)));
        return item;
    }

    public static Dataset Text(string relationship, CodedConcept name, string value)
    {
        var item = Item(relationship, "TEXT", name);
        item.SetString(new Tag(0x0040, 0xA160), VR.UT, value);
        return item;
    }

    public static Dataset UidRef(string relationship, CodedConcept name, string uid)
    {
        var item = Item(relationship, "UIDREF", name);
        item.SetString(new Tag(0x0040, 0xA124), VR.UI, uid);
        return item;
    }

    /// <summary>A NUM item (PS3.3 C.18.1); the value is written with DS's 16 characters at most.</summary>
    public static Dataset Num(string relationship, CodedConcept name, double value, CodedConcept units, IEnumerable<Dataset>? children = null)
    {
        var item = Item(relationship, "NUM", name);
        var measured = ResultHeader.NewItem();
        measured.SetString(new Tag(0x0040, 0xA30A), VR.DS, Ds(value));
        measured.Set(units.ToSequence(new Tag(0x0040, 0x08EA)));
        item.Set(new DicomSequence(new Tag(0x0040, 0xA300), [measured]));
        if (children is not null)
        {
            item.Set(new DicomSequence(ContentSequence, children));
        }
        return item;
    }

    /// <summary>An IMAGE item (PS3.3 C.18.4) referencing one SOP instance.</summary>
    public static Dataset Image(string? relationship, CodedConcept? name, string sopClassUid, string sopInstanceUid)
    {
        var item = Item(relationship, "IMAGE", name);
        var reference = ResultHeader.NewItem();
        reference.SetString(new Tag(0x0008, 0x1150), VR.UI, sopClassUid);
        reference.SetString(new Tag(0x0008, 0x1155), VR.UI, sopInstanceUid);
        item.Set(new DicomSequence(new Tag(0x0008, 0x1199), [reference]));
        return item;
    }

    /// <summary>A DS value: round-trip precision cut to six decimals, which a probability never needs more of.</summary>
    public static string Ds(double value) => Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture);

    private static Dataset Item(string? relationship, string valueType, CodedConcept? name)
    {
        var item = ResultHeader.NewItem();
        if (relationship is not null)
        {
            item.SetString(RelationshipType, VR.CS, relationship);
        }
        item.SetString(ValueType, VR.CS, valueType);
        if (name is not null)
        {
            item.Set(name.ToSequence(ConceptNameCodeSequence));
        }
        return item;
    }
}
