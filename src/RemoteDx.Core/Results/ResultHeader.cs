using System.Globalization;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>The header modules every result object shares: Patient and General Study copied from a source instance
/// (PS3.3 C.7.1.1, C.7.2.1), General Equipment naming RemoteDx, SOP Common with the AI as Contributing Equipment
/// (IHE AIR 6.5.3.1).</summary>
internal static class ResultHeader
{
    public const string Manufacturer = "RemoteDx";

    /// <summary>Results are written in UTF-8 (ISO_IR 192), whatever the source's character set: names, comments and
    /// codes from anywhere fit, and copied text is re-encoded.</summary>
    public const string CharacterSet = "ISO_IR 192";

    /// <summary>Parent of detached items while they are built, so their text is encoded in <see cref="CharacterSet"/>
    /// before they are placed in a result (which then becomes their parent).</summary>
    public static Dataset NewItem() => new(Utf8Root);

    private static readonly Dataset Utf8Root = CreateUtf8Root();

    private static Dataset CreateUtf8Root()
    {
        var root = new Dataset();
        root.SetString(Tag.SpecificCharacterSet, VR.CS, CharacterSet);
        return root;
    }

    // Patient and General Study attributes copied (text decoded from the source's character set and re-encoded),
    // Type 2 ones written empty when the source lacks them.
    private static readonly (ushort Group, ushort Element, VR Vr, bool Type2)[] Copied =
    [
        (0x0010, 0x0010, VR.PN, true),  // Patient's Name
        (0x0010, 0x0020, VR.LO, true),  // Patient ID
        (0x0010, 0x0021, VR.LO, false), // Issuer of Patient ID
        (0x0010, 0x0030, VR.DA, true),  // Patient's Birth Date
        (0x0010, 0x0040, VR.CS, true),  // Patient's Sex
        (0x0010, 0x1010, VR.AS, false), // Patient's Age
        (0x0010, 0x4000, VR.LT, false), // Patient Comments
        (0x0020, 0x000D, VR.UI, false), // Study Instance UID
        (0x0008, 0x0020, VR.DA, true),  // Study Date
        (0x0008, 0x0030, VR.TM, true),  // Study Time
        (0x0008, 0x0090, VR.PN, true),  // Referring Physician's Name
        (0x0020, 0x0010, VR.SH, true),  // Study ID
        (0x0008, 0x0050, VR.SH, true),  // Accession Number
        (0x0008, 0x1030, VR.LO, false), // Study Description
    ];

    /// <summary>A new dataset holding the patient and study of <paramref name="source"/>, plus SOP Common,
    /// General Series and General Equipment for a result object.</summary>
    public static Dataset Create(Dataset source, ResultAlgorithm algorithm, string sopClassUid, string sopInstanceUid, string modality,
        string seriesInstanceUid, int seriesNumber, string seriesDescription, int instanceNumber, DateTimeOffset created)
    {
        var ds = new Dataset();
        ds.SetString(Tag.SpecificCharacterSet, VR.CS, CharacterSet);
        foreach (var (g, e, vr, type2) in Copied)
        {
            var tag = new Tag(g, e);
            if (source.GetString(tag) is { } value)
            {
                ds.SetString(tag, vr, value);
            }
            else if (type2)
            {
                ds.SetString(tag, vr, "");
            }
        }
        var inv = CultureInfo.InvariantCulture;
        var utc = created.ToUniversalTime();
        ds.SetString(Tag.SOPClassUID, VR.UI, sopClassUid);
        ds.SetString(Tag.SOPInstanceUID, VR.UI, sopInstanceUid);
        ds.SetString(new Tag(0x0008, 0x0012), VR.DA, utc.ToString("yyyyMMdd", inv)); // Instance Creation Date
        ds.SetString(new Tag(0x0008, 0x0013), VR.TM, utc.ToString("HHmmss", inv));   // Instance Creation Time
        ds.SetString(new Tag(0x0008, 0x0201), VR.SH, "+0000");                         // Timezone Offset From UTC
        ds.SetString(Tag.Modality, VR.CS, modality);
        ds.SetString(Tag.SeriesInstanceUID, VR.UI, seriesInstanceUid);
        ds.SetString(new Tag(0x0020, 0x0011), VR.IS, seriesNumber.ToString(inv));
        ds.SetString(new Tag(0x0008, 0x103E), VR.LO, seriesDescription);
        ds.SetString(new Tag(0x0008, 0x0021), VR.DA, utc.ToString("yyyyMMdd", inv)); // Series Date
        ds.SetString(new Tag(0x0008, 0x0031), VR.TM, utc.ToString("HHmmss", inv));   // Series Time
        ds.SetString(Tag.InstanceNumber, VR.IS, instanceNumber.ToString(inv));
        ds.SetString(new Tag(0x0008, 0x0070), VR.LO, Manufacturer);
        ds.SetString(new Tag(0x0008, 0x1090), VR.LO, "RemoteDx triage");               // Manufacturer's Model Name
        ds.SetString(new Tag(0x0018, 0x1020), VR.LO, DicomFile.ImplementationVersionName); // Software Versions

        // IHE AIR: the AI model as Contributing Equipment (Purpose of Reference: Processing Equipment).
        var equipment = NewItem();
        equipment.Set(ResultCodes.ProcessingEquipment.ToSequence(new Tag(0x0040, 0xA170)));
        equipment.SetString(new Tag(0x0008, 0x0070), VR.LO, Manufacturer);
        equipment.SetString(new Tag(0x0008, 0x1090), VR.LO, Clip(algorithm.Name, 64));
        equipment.SetString(new Tag(0x0018, 0x1020), VR.LO, Clip(algorithm.Version, 64));
        equipment.SetString(new Tag(0x0018, 0x1002), VR.UI, DeviceUid(algorithm));   // Device UID
        ds.Set(new DicomSequence(new Tag(0x0018, 0xA001), [equipment]));
        return ds;
    }

    /// <summary>The AI model as a device: one UID per model file (its sha256).</summary>
    public static string DeviceUid(ResultAlgorithm algorithm) => ResultUids.Derived("device/" + algorithm.Sha256);

    public static string Clip(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>A DICOM DT value in UTC.</summary>
    public static string DateTimeValue(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+0000";
}
