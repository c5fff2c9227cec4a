// HL7 FHIR R4: DiagnosticReport, Observation, ImagingStudy, Patient in a collection Bundle
using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using RemoteDx.Core.Results;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>A study's AI result as a FHIR R4 Bundle (type collection), built with the Firely SDK: a DiagnosticReport
/// (status preliminary until a radiologist marks the study reviewed, final after, the reviewer as results interpreter)
/// whose results are one Observation per finding (the label's code, the probability as a Quantity with UCUM "1", POS/NEG
/// interpretation, the operating threshold as a component, the model as device, the review decision as a note), the
/// ImagingStudy (DICOM UIDs as urn:oid) and the Patient. Entries are linked by urn:uuid full URLs derived from the
/// study, so the same study gives the same URLs.</summary>
internal static class FhirReport
{
    private const string DicomUidSystem = "urn:dicom:uid";
    private const string DcmSystem = "http://dicom.nema.org/resources/ontology/DCM";
    private const string UcumSystem = "http://unitsofmeasure.org";
    private const string InterpretationSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

    public static Bundle Create(StudyDetail d, Func<string, string, CodedConcept> codes, DateTimeOffset now)
    {
        var s = d.Study;
        var final = d.ReviewedAt is not null;
        var uid = s.StudyInstanceUid;
        var patientUrl = Urn(uid, "patient");
        var studyUrl = Urn(uid, "imaging-study");
        var reportUrl = Urn(uid, "report");

        var patient = new Patient();
        if (s.PatientId is { Length: > 0 } pid)
        {
            // Patient IDs are unique within the sending clinic (the issuer the index uses too).
            patient.Identifier.Add(new Identifier("urn:remotedx:clinic:" + Uri.EscapeDataString(s.Clinic), pid));
        }
        if (s.PatientName is { Length: > 0 } name)
        {
            var parts = name.Split('^');
            var human = new HumanName { Text = string.Join(' ', parts.Skip(1).Append(parts[0]).Where(p => p.Length > 0)), Family = parts[0] };
            if (parts.Length > 1 && parts[1].Length > 0)
            {
                human.Given = [parts[1]];
            }
            patient.Name.Add(human);
        }
        patient.Gender = s.PatientSex switch
        {
            "M" => AdministrativeGender.Male,
            "F" => AdministrativeGender.Female,
            "O" => AdministrativeGender.Other,
            _ => null,
        };
        if (d.PatientBirthDate is { Length: 8 } birth && birth.All(char.IsAsciiDigit))
        {
            patient.BirthDate = $"{birth[..4]}-{birth[4..6]}-{birth[6..]}";
        }

        var imaging = new ImagingStudy
        {
            Status = ImagingStudy.ImagingStudyStatus.Available,
            Subject = new ResourceReference(patientUrl),
            Identifier = [new Identifier(DicomUidSystem, "urn:oid:" + uid)],
            NumberOfSeries = d.Series.Count,
            NumberOfInstances = d.Series.Sum(x => x.Instances.Count),
            Description = s.StudyDescription,
        };
        foreach (var series in d.Series)
        {
            var component = new ImagingStudy.SeriesComponent
            {
                Uid = series.SeriesInstanceUid,
                Number = series.SeriesNumber,
                Modality = new Coding(DcmSystem, series.Modality ?? "OT"),
                Description = series.Description,
                NumberOfInstances = series.Instances.Count,
            };
            foreach (var i in series.Instances)
            {
                component.Instance.Add(new ImagingStudy.InstanceComponent
                {
                    Uid = i.SopInstanceUid,
                    SopClass = new Coding("urn:ietf:rfc:3986", "urn:oid:" + (i.SopClassUid ?? "1.2.840.10008.5.1.4.1.1.7")),
                    Number = i.InstanceNumber,
                });
            }
            imaging.Series.Add(component);
        }

        var bundle = new Bundle
        {
            Id = Guid(uid, "bundle").ToString(),
            Type = Bundle.BundleType.Collection,
            Timestamp = now,
        };
        var report = new DiagnosticReport
        {
            Status = final ? DiagnosticReport.DiagnosticReportStatus.Final : DiagnosticReport.DiagnosticReportStatus.Preliminary,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")],
            Code = new CodeableConcept("http://loinc.org", "18748-4", "Diagnostic imaging study", "AI triage (RemoteDx)"),
            Subject = new ResourceReference(patientUrl),
            Issued = d.ReviewedAt ?? now,
            ImagingStudy = [new ResourceReference(studyUrl)],
            Identifier = [new Identifier(DicomUidSystem, "urn:oid:" + TriageReport.SeriesInstanceUid(uid)) { Use = Identifier.IdentifierUse.Secondary }],
            Conclusion = Conclusion(d),
        };
        if (d.ReviewedBy is { } by)
        {
            report.ResultsInterpreter = [new ResourceReference { Display = by }];
        }
        var observations = new List<(string Url, Observation Resource)>();
        foreach (var f in d.Series.SelectMany(x => x.Instances).SelectMany(i => i.Findings))
        {
            var code = codes(f.Model, f.Label);
            var observation = new Observation
            {
                Status = final ? ObservationStatus.Final : ObservationStatus.Preliminary,
                Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "imaging", "Imaging")],
                Code = new CodeableConcept(SystemFor(code.Scheme), code.Value, code.Meaning, f.Label),
                Subject = new ResourceReference(patientUrl),
                Issued = now,
                Value = Probability(f.Probability),
                Interpretation = [f.Positive
                    ? new CodeableConcept(InterpretationSystem, "POS", "Positive")
                    : new CodeableConcept(InterpretationSystem, "NEG", "Negative")],
                Device = new ResourceReference { Display = $"{f.Model} {f.ModelVersion} (sha256 {f.ModelSha256})" },
                DerivedFrom = [new ResourceReference(studyUrl) { Display = "image " + f.SopInstanceUid }],
                Component =
                [
                    new Observation.ComponentComponent
                    {
                        Code = new CodeableConcept(SystemFor(ResultCodes.OperatingThreshold.Scheme), ResultCodes.OperatingThreshold.Value,
                            ResultCodes.OperatingThreshold.Meaning),
                        Value = Probability(f.Threshold),
                    },
                ],
            };
            if (f.Review is { } review)
            {
                observation.Note = [new Annotation { Text = $"{review.Decision} by {review.By}" }];
            }
            var url = Urn(uid, $"observation/{f.SopInstanceUid}/{f.Model}/{f.Label}");
            observations.Add((url, observation));
            report.Result.Add(new ResourceReference(url));
        }
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = reportUrl, Resource = report });
        foreach (var (url, o) in observations)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = url, Resource = o });
        }
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = studyUrl, Resource = imaging });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = patientUrl, Resource = patient });
        return bundle;
    }

    private static Quantity Probability(double p) => new()
    {
        Value = Math.Round((decimal)p, 4),
        Unit = "1",
        System = UcumSystem,
        Code = "1",
    };

    private static string Conclusion(StudyDetail d)
    {
        var positive = d.Series.SelectMany(x => x.Instances).SelectMany(i => i.Findings).Where(f => f.Positive)
            .Select(f => f.Label).Distinct(StringComparer.Ordinal).ToList();
        var text = positive.Count == 0 ? "AI: no positive finding." : "AI: " + string.Join(", ", positive) + ".";
        return (d.Study.Stat ? "STAT. " : "") + text + (d.ReviewedBy is null ? " Not yet reviewed." : " Reviewed by " + d.ReviewedBy + ".");
    }

    /// <summary>FHIR code system URIs for the DICOM coding scheme designators the results use (PS3.16 Table 8-1).</summary>
    private static string SystemFor(string scheme) => scheme switch
    {
        "SCT" => "http://snomed.info/sct",
        "DCM" => DcmSystem,
        "LN" => "http://loinc.org",
        "UCUM" => UcumSystem,
        "RADLEX" => "http://radlex.org",
        _ => "urn:remotedx:codes:" + Uri.EscapeDataString(scheme),
    };

    private static string Urn(string studyUid, string what) => "urn:uuid:" + Guid(studyUid, what).ToString();

    private static Guid Guid(string studyUid, string what)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("remotedx-fhir/" + studyUid + "/" + what));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
