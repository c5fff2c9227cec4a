using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Results;

/// <summary>The codes the results use: DCM (PS3.16 Annex D), SCT (SNOMED CT), UCUM, and the private 99RDX scheme for
/// what no standard names (docs/models.md lists them).</summary>
public static class ResultCodes
{
    public const string PrivateScheme = "99RDX";

    // PS3.16 TID 1500 Measurement Report and the templates it includes.
    public static readonly CodedConcept ImagingMeasurementReport = new("126000", "DCM", "Imaging Measurement Report");
    public static readonly CodedConcept Language = new("121049", "DCM", "Language of Content Item and Descendants");
    public static readonly CodedConcept EnglishUs = new("en-US", "RFC5646", "English (United States)");
    public static readonly CodedConcept ObserverType = new("121005", "DCM", "Observer Type");
    public static readonly CodedConcept Device = new("121007", "DCM", "Device");
    public static readonly CodedConcept DeviceObserverUid = new("121012", "DCM", "Device Observer UID");
    public static readonly CodedConcept DeviceObserverName = new("121013", "DCM", "Device Observer Name");
    public static readonly CodedConcept DeviceObserverManufacturer = new("121014", "DCM", "Device Observer Manufacturer");
    public static readonly CodedConcept DeviceObserverModelName = new("121015", "DCM", "Device Observer Model Name");
    public static readonly CodedConcept ProcedureReported = new("121058", "DCM", "Procedure reported");
    public static readonly CodedConcept PlainChestXRay = new("399208008", "SCT", "Plain chest X-ray");
    public static readonly CodedConcept RadiographicImaging = new("363680008", "SCT", "Radiographic imaging procedure");
    public static readonly CodedConcept ImageLibrary = new("111028", "DCM", "Image Library");
    public static readonly CodedConcept ImageLibraryGroup = new("126200", "DCM", "Image Library Group");
    public static readonly CodedConcept ImagingMeasurements = new("126010", "DCM", "Imaging Measurements");
    public static readonly CodedConcept MeasurementGroup = new("125007", "DCM", "Measurement Group");
    public static readonly CodedConcept TrackingIdentifier = new("112039", "DCM", "Tracking Identifier");
    public static readonly CodedConcept TrackingUniqueIdentifier = new("112040", "DCM", "Tracking Unique Identifier");
    public static readonly CodedConcept Finding = new("121071", "DCM", "Finding");
    public static readonly CodedConcept SourceOfMeasurement = new("121112", "DCM", "Source of Measurement");
    public static readonly CodedConcept Comment = new("121106", "DCM", "Comment");
    public static readonly CodedConcept QualitativeEvaluations = new("C0034375", "UMLS", "Qualitative Evaluations");

    // TID 4019 Algorithm Identification.
    public static readonly CodedConcept AlgorithmName = new("111001", "DCM", "Algorithm Name");
    public static readonly CodedConcept AlgorithmVersion = new("111003", "DCM", "Algorithm Version");
    public static readonly CodedConcept AlgorithmParameters = new("111002", "DCM", "Algorithm Parameters");

    // Values.
    public static readonly CodedConcept Present = new("52101004", "SCT", "Present");
    public static readonly CodedConcept Absent = new("2667000", "SCT", "Absent");
    public static readonly CodedConcept HighPriority = new("394849002", "SCT", "High priority");
    public static readonly CodedConcept NormalPriority = new("394848005", "SCT", "Normal priority");
    public static readonly CodedConcept NoUnits = new("1", "UCUM", "no units");
    public static readonly CodedConcept ProcessingEquipment = new("109102", "DCM", "Processing Equipment");

    // No standard concept names these; 99RDX is RemoteDx's private coding scheme (PS3.16 8.2 "99" prefix).
    public static readonly CodedConcept Probability = new("RDX-PROB", PrivateScheme, "AI probability");
    public static readonly CodedConcept OperatingThreshold = new("RDX-THRESH", PrivateScheme, "AI operating threshold");
    public static readonly CodedConcept TriagePriority = new("RDX-PRIORITY", PrivateScheme, "AI triage priority");
    public static readonly CodedConcept ReviewDecision = new("RDX-REVIEW", PrivateScheme, "Radiologist review decision");
    public static readonly CodedConcept Confirmed = new("RDX-CONFIRMED", PrivateScheme, "Confirmed");
    public static readonly CodedConcept Dismissed = new("RDX-DISMISSED", PrivateScheme, "Dismissed");

    /// <summary>TID 1500 Procedure Reported for a source image: a chest radiograph, or radiography in general.</summary>
    public static CodedConcept ProcedureFor(RemoteDx.Dicom.Dataset source) =>
        source.GetString(RemoteDx.Dicom.Tag.BodyPartExamined) == "CHEST" ? PlainChestXRay : RadiographicImaging;

    /// <summary>The concept a model label means: the manifest's <c>code</c>, or a private 99RDX code made from the label
    /// name when a bring-your-own model gives none.</summary>
    public static CodedConcept ForLabel(ManifestLabel label) =>
        label.Code is { } c ? new CodedConcept(c.Value, c.Scheme, c.Meaning) : ForLabel(label.Name);

    /// <summary>The private fallback for a label without a standard code (the value is cut to SH's 16 characters).</summary>
    public static CodedConcept ForLabel(string labelName)
    {
        var value = labelName.Length <= 16 ? labelName : labelName[..16];
        var meaning = labelName.Length <= 64 ? labelName : labelName[..64];
        return new CodedConcept(value.Replace('\\', '/'), PrivateScheme, meaning.Replace('\\', '/'));
    }
}
