using System.Globalization;
using System.Text.RegularExpressions;
using RemoteDx.Core.Results;
using RemoteDx.Dicom;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Results;

/// <summary>The AI result SR, checked by second implementations: dciodvfy (IOD), dsrdump (DCMTK's SR reader: the
/// content tree with codes, probabilities and references), pydicom.</summary>
public sealed partial class TriageReportTests
{
    [Fact]
    public void The_AI_report_passes_dciodvfy_and_dsrdump_shows_each_finding_code_probability_and_source_image()
    {
        var study = ResultStudies.TwoImageStudy(stat: true);
        var dir = TempDirectory.ForTestRun();
        var path = Path.Combine(dir, "sr.dcm");
        TriageReport.Create(study, ResultStudies.Scored).Save(path);

        Dciodvfy.AssertValid(path);
        var dump = Tool.RunOk("dsrdump", "+Pc", "+Pu", "+Pl", path);
        Assert.Contains("Comprehensive SR", dump);
        Assert.Matches(@"Completion Flag\s*:\s*COMPLETE", dump);
        Assert.Matches(@"Verification Flag\s*:\s*UNVERIFIED", dump);
        Assert.Contains("(126000,DCM,\"Imaging Measurement Report\")", dump);
        Assert.Contains("(111001,DCM,\"Algorithm Name\")=\"cxr-triage\"", dump);
        Assert.Contains("(111003,DCM,\"Algorithm Version\")=\"1.0.0\"", dump);
        Assert.Contains("\"manifest sha256=" + new string('a', 64) + "\"", dump);
        Assert.Contains("(RDX-PRIORITY,99RDX,\"AI triage priority\")=(394849002,SCT,\"High priority\")", dump);

        // Every finding appears as its code, its probability and a reference to its source image, in order.
        var findings = FindingRegex().Matches(dump).Select(m => m.Groups[1].Value).ToList();
        var probabilities = ProbabilityRegex().Matches(dump).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var sources = SourceRegex().Matches(dump).Select(m => m.Groups[1].Value).ToList();
        var expected = study.Instances.SelectMany(i => i.Findings.Select(f => (i.SopInstanceUid, f))).ToList();
        Assert.Equal(expected.Select(e => $"{e.f.Code.Value},{e.f.Code.Scheme},\"{e.f.Code.Meaning}\""), findings);
        Assert.Equal(expected.Select(e => e.f.Probability), probabilities);
        Assert.Equal(expected.Select(e => e.SopInstanceUid), sources);
        Assert.Contains("(36118008,SCT,\"Pneumothorax\")=(2667000,SCT,\"Absent\")", dump);
        Assert.Contains("(60046008,SCT,\"Pleural effusion\")=(52101004,SCT,\"Present\")", dump);
        Assert.Contains("(8186001,SCT,\"Cardiomegaly\")=(52101004,SCT,\"Present\")", dump);
    }

    [Fact]
    public void The_AI_report_is_a_new_SR_series_of_the_same_study_referencing_every_source_instance()
    {
        var study = ResultStudies.TwoImageStudy(complete: false);
        var sr = TriageReport.Create(study, ResultStudies.Scored);
        var ds = sr.Dataset;
        Assert.Equal(DicomUids.ComprehensiveSRStorage, ds.GetString(Tag.SOPClassUID));
        Assert.Equal("SR", ds.GetString(Tag.Modality));
        Assert.Equal(TriageReport.SeriesDescription, ds.GetString(Tag.SeriesDescription));
        Assert.Equal("PARTIAL", ds.GetString(Tag.CompletionFlag));
        Assert.Equal("UNVERIFIED", ds.GetString(Tag.VerificationFlag));
        var source = study.Instances[0].Dataset;
        Assert.Equal(source.GetString(Tag.StudyInstanceUID), ds.GetString(Tag.StudyInstanceUID));
        Assert.Equal(source.GetString(Tag.PatientID), ds.GetString(Tag.PatientID));
        Assert.Equal(source.GetString(Tag.PatientName), ds.GetString(Tag.PatientName));
        Assert.Equal(source.GetString(Tag.AccessionNumber), ds.GetString(Tag.AccessionNumber));
        Assert.NotEqual(source.GetString(Tag.SeriesInstanceUID), ds.GetString(Tag.SeriesInstanceUID));
        Assert.StartsWith("2.25.", ds.GetString(Tag.SeriesInstanceUID));
        Assert.Equal(ds.GetString(Tag.SeriesInstanceUID), TriageReport.Create(study, ResultStudies.Scored).Dataset.GetString(Tag.SeriesInstanceUID));

        var evidence = Assert.Single(ds.GetSequence(Tag.CurrentRequestedProcedureEvidenceSequence)!.Items);
        Assert.Equal(source.GetString(Tag.StudyInstanceUID), evidence.GetString(Tag.StudyInstanceUID));
        var referenced = evidence.GetSequence(Tag.ReferencedSeriesSequence)!.Items
            .SelectMany(s => s.GetSequence(Tag.ReferencedSOPSequence)!.Items.Select(r => r.GetString(Tag.ReferencedSOPInstanceUID)))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(study.Instances.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), referenced);
    }

    [Fact]
    public void The_verified_report_names_the_verifier_points_at_its_predecessor_and_records_each_decision()
    {
        var study = ResultStudies.TwoImageStudy();
        var dir = TempDirectory.ForTestRun();
        var first = TriageReport.Create(study, ResultStudies.Scored);
        var firstPath = Path.Combine(dir, "sr-1.dcm");
        first.Save(firstPath);
        var firstImage = study.Instances[0].SopInstanceUid;
        var verification = new Verification("Doe^Jane", "Northside Radiology", ResultStudies.Scored.AddHours(2),
        [
            new ReviewDecision(firstImage, "effusion", Confirmed: true, "small left effusion"),
            new ReviewDecision(firstImage, "cardiomegaly", Confirmed: false, "AP magnification"),
        ], Comment: "reviewed with prior");
        var verified = TriageReport.CreateVerified(study, DicomFile.Open(firstPath), verification, ResultStudies.Scored.AddHours(2));
        var path = Path.Combine(dir, "sr-2.dcm");
        verified.Save(path);

        Dciodvfy.AssertValid(path);
        var ds = verified.Dataset;
        Assert.Equal("VERIFIED", ds.GetString(Tag.VerificationFlag));
        Assert.Equal("COMPLETE", ds.GetString(Tag.CompletionFlag));
        Assert.Equal(first.Dataset.GetString(Tag.SeriesInstanceUID), ds.GetString(Tag.SeriesInstanceUID));
        Assert.NotEqual(first.Dataset.GetString(Tag.SOPInstanceUID), ds.GetString(Tag.SOPInstanceUID));
        Assert.Equal("2", ds.GetString(Tag.InstanceNumber));
        var observer = Assert.Single(ds.GetSequence(Tag.VerifyingObserverSequence)!.Items);
        Assert.Equal("Doe^Jane", observer.GetString(Tag.VerifyingObserverName));
        Assert.Equal("Northside Radiology", observer.GetString(Tag.VerifyingOrganization));
        Assert.StartsWith("20261206060000", observer.GetString(Tag.VerificationDateTime));
        var predecessor = Assert.Single(ds.GetSequence(Tag.PredecessorDocumentsSequence)!.Items);
        var series = Assert.Single(predecessor.GetSequence(Tag.ReferencedSeriesSequence)!.Items);
        Assert.Equal(first.Dataset.GetString(Tag.SeriesInstanceUID), series.GetString(Tag.SeriesInstanceUID));
        var reference = Assert.Single(series.GetSequence(Tag.ReferencedSOPSequence)!.Items);
        Assert.Equal(first.Dataset.GetString(Tag.SOPInstanceUID), reference.GetString(Tag.ReferencedSOPInstanceUID));

        var dump = Tool.RunOk("dsrdump", "+Pc", "+Pu", "+Pl", path);
        Assert.Matches(@"Verification Flag\s*:\s*VERIFIED", dump);
        Assert.Contains("Doe^Jane", dump);
        Assert.Contains("(RDX-REVIEW,99RDX,\"Radiologist review decision\")=(RDX-CONFIRMED,99RDX,\"Confirmed\")", dump);
        Assert.Contains("(RDX-REVIEW,99RDX,\"Radiologist review decision\")=(RDX-DISMISSED,99RDX,\"Dismissed\")", dump);
        Assert.Contains("(121106,DCM,\"Comment\")=\"AP magnification\"", dump);
        Assert.Contains("(121106,DCM,\"Comment\")=\"reviewed with prior\"", dump);
    }

    [Fact]
    public void Pydicom_reads_the_report_tree()
    {
        var study = ResultStudies.TwoImageStudy();
        var path = Path.Combine(TempDirectory.ForTestRun(), "sr.dcm");
        TriageReport.Create(study, ResultStudies.Scored).Save(path);
        var output = Tool.PythonOk("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            def walk(items):
                for it in items:
                    yield it
                    yield from walk(getattr(it, 'ContentSequence', []))
            nums = [it for it in walk(ds.ContentSequence) if it.ValueType == 'NUM' and it.ConceptNameCodeSequence[0].CodeValue == 'RDX-PROB']
            print(ds.Modality, ds.VerificationFlag, ds.ContentTemplateSequence[0].TemplateIdentifier, len(nums),
                  ' '.join(str(n.MeasuredValueSequence[0].NumericValue) for n in nums))
            """, path).Trim();
        Assert.Equal("SR UNVERIFIED 1500 6 0.9612 0.8125 0.0123 0.9431 0.5 0.0456", output);
    }

    [Fact]
    public void Names_and_comments_outside_ASCII_survive_in_UTF_8_whatever_the_source_character_set()
    {
        var study = ResultStudies.TwoImageStudy();
        foreach (var instance in study.Instances)
        {
            instance.Dataset.SetString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
            instance.Dataset.SetString(Tag.PatientName, VR.PN, "Müller^Jürgen");
        }
        var dir = TempDirectory.ForTestRun();
        var firstPath = Path.Combine(dir, "sr-1.dcm");
        TriageReport.Create(study, ResultStudies.Scored).Save(firstPath);
        var verification = new Verification("Größe^Anaïs", "Hôpital Nord", ResultStudies.Scored,
            [new ReviewDecision(study.Instances[0].SopInstanceUid, "effusion", true, "Erguss bestätigt")]);
        var path = Path.Combine(dir, "sr-2.dcm");
        TriageReport.CreateVerified(study, DicomFile.Open(firstPath), verification, ResultStudies.Scored).Save(path);

        Dciodvfy.AssertValid(path);
        var output = Tool.PythonOk("""
            import sys, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            def walk(items):
                for it in items:
                    yield it
                    yield from walk(getattr(it, 'ContentSequence', []))
            texts = [it.TextValue for it in walk(ds.ContentSequence) if it.ValueType == 'TEXT' and it.ConceptNameCodeSequence[0].CodeValue == '121106']
            v = ds.VerifyingObserverSequence[0]
            sys.stdout.buffer.write('|'.join([ds.SpecificCharacterSet, str(ds.PatientName), str(v.VerifyingObserverName), v.VerifyingOrganization] + texts).encode('utf-8'))
            """, path);
        Assert.Equal("ISO_IR 192|M\u00fcller^J\u00fcrgen|Gr\u00f6\u00dfe^Ana\u00efs|H\u00f4pital Nord|Erguss best\u00e4tigt", output);
    }

    [GeneratedRegex("""CODE:\(121071,DCM,"Finding"\)=\(([^)]*)\)""")]
    private static partial Regex FindingRegex();

    [GeneratedRegex(@"NUM:\(RDX-PROB,99RDX,""AI probability""\)=""([0-9.]+)""")]
    private static partial Regex ProbabilityRegex();

    [GeneratedRegex("""IMAGE:\(121112,DCM,"Source of Measurement"\)=\([^,]*,"([0-9.]+)"\)""")]
    private static partial Regex SourceRegex();
}
