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
    private static readonly (Tag Tag, VR Vr, bool Type2)[] Copied =
    [
        (Tag.PatientName, VR.PN, true),
        (Tag.PatientID, VR.LO, true),
        (Tag.IssuerOfPatientID, VR.LO, false),
        (Tag.PatientBirthDate, VR.DA, true),
        (Tag.PatientSex, VR.CS, true),
        (Tag.PatientAge, VR.AS, false),
        (Tag.PatientComments, VR.LT, false),
        (Tag.StudyInstanceUID, VR.UI, false),
        (Tag.StudyDate, VR.DA, true),
        (Tag.StudyTime, VR.TM, true),
        (Tag.ReferringPhysicianName, VR.PN, true),
        (Tag.StudyID, VR.SH, true),
        (Tag.AccessionNumber, VR.SH, true),
        (Tag.StudyDescription, VR.LO, false),
    ];

    /// <summary>A new dataset holding the patient and study of <paramref name="source"/>, plus SOP Common,
    /// General Series and General Equipment for a result object.</summary>
    public static Dataset Create(Dataset source, ResultAlgorithm algorithm, string sopClassUid, string sopInstanceUid, string modality,
        string seriesInstanceUid, int seriesNumber, string seriesDescription, int instanceNumber, DateTimeOffset created)
    {
        var ds = new Dataset();
        ds.SetString(Tag.SpecificCharacterSet, VR.CS, CharacterSet);
        foreach (var (tag, vr, type2) in Copied)
        {
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
        ds.SetString(Tag.InstanceCreationDate, VR.DA, utc.ToString("yyyyMMdd", inv));
        ds.SetString(Tag.InstanceCreationTime, VR.TM, utc.ToString("HHmmss", inv));
        ds.SetString(Tag.TimezoneOffsetFromUTC, VR.SH, "+0000");
        ds.SetString(Tag.Modality, VR.CS, modality);
        ds.SetString(Tag.SeriesInstanceUID, VR.UI, seriesInstanceUid);
        ds.SetString(Tag.SeriesNumber, VR.IS, seriesNumber.ToString(inv));
        ds.SetString(Tag.SeriesDescription, VR.LO, seriesDescription);
        ds.SetString(Tag.SeriesDate, VR.DA, utc.ToString("yyyyMMdd", inv));
        ds.SetString(Tag.SeriesTime, VR.TM, utc.ToString("HHmmss", inv));
        ds.SetString(Tag.InstanceNumber, VR.IS, instanceNumber.ToString(inv));
        ds.SetString(Tag.Manufacturer, VR.LO, Manufacturer);
        ds.SetString(Tag.ManufacturerModelName, VR.LO, "RemoteDx triage");
        ds.SetString(Tag.SoftwareVersions, VR.LO, DicomFile.ImplementationVersionName);

        // IHE AIR: the AI model as Contributing Equipment (Purpose of Reference: Processing Equipment).
        var equipment = NewItem();
        equipment.Set(ResultCodes.ProcessingEquipment.ToSequence(Tag.PurposeOfReferenceCodeSequence));
        equipment.SetString(Tag.Manufacturer, VR.LO, Manufacturer);
        equipment.SetString(Tag.ManufacturerModelName, VR.LO, Clip(algorithm.Name, 64));
        equipment.SetString(Tag.SoftwareVersions, VR.LO, Clip(algorithm.Version, 64));
        equipment.SetString(Tag.DeviceUID, VR.UI, DeviceUid(algorithm));
        ds.Set(new DicomSequence(Tag.ContributingEquipmentSequence, [equipment]));
        return ds;
    }

    /// <summary>The AI model as a device: one UID per model file (its sha256).</summary>
    public static string DeviceUid(ResultAlgorithm algorithm) => ResultUids.Derived("device/" + algorithm.Sha256);

    public static string Clip(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>A DICOM DT value in UTC.</summary>
    public static string DateTimeValue(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+0000";
}
