using System.Globalization;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>SR content items (PS3.3 C.17.3 SR Document Content Module, Table C.17-4 Content Item Macro and C.18 value
/// types). Each call returns a Content Sequence item.</summary>
internal static class SrContent
{
    public static Dataset Container(string? relationship, CodedConcept name, IEnumerable<Dataset> children, string? template = null)
    {
        var item = Item(relationship, "CONTAINER", name);
        item.SetString(Tag.ContinuityOfContent, VR.CS, "SEPARATE");
        if (template is not null)
        {
            var t = ResultHeader.NewItem();
            t.SetString(Tag.MappingResource, VR.CS, "DCMR");
            t.SetString(Tag.TemplateIdentifier, VR.CS, template);
            item.Set(new DicomSequence(Tag.ContentTemplateSequence, [t]));
        }
        item.Set(new DicomSequence(Tag.ContentSequence, children));
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
        item.Set(value.ToSequence(Tag.ConceptCodeSequence));
        return item;
    }

    public static Dataset Text(string relationship, CodedConcept name, string value)
    {
        var item = Item(relationship, "TEXT", name);
        item.SetString(Tag.TextValue, VR.UT, value);
        return item;
    }

    public static Dataset UidRef(string relationship, CodedConcept name, string uid)
    {
        var item = Item(relationship, "UIDREF", name);
        item.SetString(Tag.UID, VR.UI, uid);
        return item;
    }

    /// <summary>A NUM item (PS3.3 C.18.1); the value is written with DS's 16 characters at most.</summary>
    public static Dataset Num(string relationship, CodedConcept name, double value, CodedConcept units, IEnumerable<Dataset>? children = null)
    {
        var item = Item(relationship, "NUM", name);
        var measured = ResultHeader.NewItem();
        measured.SetString(Tag.NumericValue, VR.DS, Ds(value));
        measured.Set(units.ToSequence(Tag.MeasurementUnitsCodeSequence));
        item.Set(new DicomSequence(Tag.MeasuredValueSequence, [measured]));
        if (children is not null)
        {
            item.Set(new DicomSequence(Tag.ContentSequence, children));
        }
        return item;
    }

    /// <summary>An IMAGE item (PS3.3 C.18.4) referencing one SOP instance.</summary>
    public static Dataset Image(string? relationship, CodedConcept? name, string sopClassUid, string sopInstanceUid)
    {
        var item = Item(relationship, "IMAGE", name);
        var reference = ResultHeader.NewItem();
        reference.SetString(Tag.ReferencedSOPClassUID, VR.UI, sopClassUid);
        reference.SetString(Tag.ReferencedSOPInstanceUID, VR.UI, sopInstanceUid);
        item.Set(new DicomSequence(Tag.ReferencedSOPSequence, [reference]));
        return item;
    }

    /// <summary>A DS value: round-trip precision cut to six decimals, which a probability never needs more of.</summary>
    public static string Ds(double value) => Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture);

    private static Dataset Item(string? relationship, string valueType, CodedConcept? name)
    {
        var item = ResultHeader.NewItem();
        if (relationship is not null)
        {
            item.SetString(Tag.RelationshipType, VR.CS, relationship);
        }
        item.SetString(Tag.ValueType, VR.CS, valueType);
        if (name is not null)
        {
            item.Set(name.ToSequence(Tag.ConceptNameCodeSequence));
        }
        return item;
    }
}
