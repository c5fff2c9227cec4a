using System.Globalization;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Results;

/// <summary>The AI result of a scored study as a DICOM Comprehensive SR (PS3.3 A.35.3) following TID 1500 Imaging
/// Measurement Report, as IHE AI Results (AIR) profiles it: the model as device observer (TID 1004) and algorithm
/// (TID 4019, manifest sha256 as its parameter); per image and label a Measurement Group (TID 1501) holding the
/// finding's code, the probability as NUM with the source image as Source of Measurement, and Present/Absent as a
/// qualitative evaluation; the study's STAT flag as a qualitative evaluation of the report. The AI's SR is
/// UNVERIFIED; <see cref="CreateVerified"/> makes the VERIFIED successor after review.</summary>
public static class TriageReport
{
    public const string SeriesDescription = "AI triage results (RemoteDx)";
    public const int SeriesNumber = 9901;

    /// <summary>The results series of a study: the same UID every time the study is scored.</summary>
    public static string SeriesInstanceUid(string studyInstanceUid) => ResultUids.Derived("sr-series/" + studyInstanceUid);

    /// <summary>The unverified AI report. <paramref name="sopInstanceUid"/> defaults to a fresh UID.</summary>
    public static DicomFile Create(ScoredStudy study, DateTimeOffset created, string? sopInstanceUid = null) =>
        Build(study, created, sopInstanceUid ?? ResultUids.New(), instanceNumber: 1, verification: null, predecessor: null);

    /// <summary>A new version of the unverified AI report after the study was scored again (a re-score, a new image): the
    /// next instance in the same series, its Predecessor Documents Sequence pointing at <paramref name="previous"/>.</summary>
    public static DicomFile CreateSuccessor(ScoredStudy study, DicomFile previous, DateTimeOffset created, string? sopInstanceUid = null)
    {
        var prev = previous.Dataset;
        var instanceNumber = (prev.GetInt(Tag.InstanceNumber) ?? 1) + 1;
        return Build(study, created, sopInstanceUid ?? ResultUids.New(), instanceNumber, verification: null, prev);
    }

    /// <summary>The verified report after review: a new instance in the same series whose Predecessor Documents
    /// Sequence points at <paramref name="previous"/>, Verification Flag VERIFIED with the verifying observer, and each
    /// finding's review decision (and comment) beside the AI's evaluation.</summary>
    public static DicomFile CreateVerified(ScoredStudy study, DicomFile previous, Verification verification, DateTimeOffset created,
        string? sopInstanceUid = null)
    {
        var prev = previous.Dataset;
        var instanceNumber = (prev.GetInt(Tag.InstanceNumber) ?? 1) + 1;
        return Build(study, created, sopInstanceUid ?? ResultUids.New(), instanceNumber, verification, prev);
    }

    private static DicomFile Build(ScoredStudy study, DateTimeOffset created, string sopInstanceUid, int instanceNumber,
        Verification? verification, Dataset? predecessor)
    {
        if (study.Instances.Count == 0)
        {
            throw new ArgumentException("a report needs at least one scored instance", nameof(study));
        }
        var studyUid = study.StudyInstanceUid;
        var ds = ResultHeader.Create(study.Instances[0].Dataset, study.Algorithm, DicomUids.ComprehensiveSRStorage, sopInstanceUid, "SR",
            SeriesInstanceUid(studyUid), SeriesNumber, SeriesDescription, instanceNumber, created);
        var inv = CultureInfo.InvariantCulture;
        var t = created.ToUniversalTime();

        // SR Document Series (PS3.3 C.17.1): Referenced Performed Procedure Step Sequence is Type 2.
        ds.Set(new DicomSequence(Tag.ReferencedPerformedProcedureStepSequence));
        // SR Document General (PS3.3 C.17.2).
        ds.SetString(Tag.ContentDate, VR.DA, t.ToString("yyyyMMdd", inv));
        ds.SetString(Tag.ContentTime, VR.TM, t.ToString("HHmmss", inv));
        ds.SetString(Tag.CompletionFlag, VR.CS, study.Complete || verification is not null ? "COMPLETE" : "PARTIAL");
        ds.SetString(Tag.VerificationFlag, VR.CS, verification is null ? "UNVERIFIED" : "VERIFIED");
        ds.SetString(Tag.PreliminaryFlag, VR.CS, verification is null ? "PRELIMINARY" : "FINAL");
        if (verification is not null)
        {
            var observer = ResultHeader.NewItem();
            observer.SetString(Tag.VerifyingOrganization, VR.LO, ResultHeader.Clip(verification.VerifyingOrganization, 64));
            observer.SetString(Tag.VerificationDateTime, VR.DT, ResultHeader.DateTimeValue(verification.VerifiedAt));
            observer.SetString(Tag.VerifyingObserverName, VR.PN, verification.VerifyingObserverName);
            observer.Set(new DicomSequence(Tag.VerifyingObserverIdentificationCodeSequence));  // Type 2
            ds.Set(new DicomSequence(Tag.VerifyingObserverSequence, [observer]));
        }
        if (predecessor is not null)
        {
            ds.Set(new DicomSequence(Tag.PredecessorDocumentsSequence, [HierarchicalReference(
                predecessor.GetString(Tag.StudyInstanceUID)!,
                [(predecessor.GetString(Tag.SeriesInstanceUID)!, predecessor.GetString(Tag.SOPClassUID)!, predecessor.GetString(Tag.SOPInstanceUID)!)])]));
        }
        ds.Set(new DicomSequence(Tag.PerformedProcedureCodeSequence));  // Type 2
        ds.Set(new DicomSequence(Tag.CurrentRequestedProcedureEvidenceSequence, [HierarchicalReference(studyUid,
            study.Instances.Select(i => (i.SeriesInstanceUid, i.SopClassUid, i.SopInstanceUid)).ToList())]));

        // PS3.3 C.12.1.1.4: the private scheme the report uses, identified.
        var scheme = ResultHeader.NewItem();
        scheme.SetString(Tag.CodingSchemeDesignator, VR.SH, ResultCodes.PrivateScheme);
        scheme.SetString(Tag.CodingSchemeName, VR.ST, "RemoteDx private codes (docs/models.md)");
        scheme.SetString(Tag.CodingSchemeResponsibleOrganization, VR.ST, ResultHeader.Manufacturer);
        ds.Set(new DicomSequence(Tag.CodingSchemeIdentificationSequence, [scheme]));
        SrContent.Root(ds, ResultCodes.ImagingMeasurementReport, "1500", Content(study, verification));
        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation();
        return file;
    }

    private static List<Dataset> Content(ScoredStudy study, Verification? verification)
    {
        var a = study.Algorithm;
        var items = new List<Dataset>
        {
            SrContent.Code("HAS CONCEPT MOD", ResultCodes.Language, ResultCodes.EnglishUs),
            // TID 1002 / 1004: the observer is the model, a device.
            SrContent.Code("HAS OBS CONTEXT", ResultCodes.ObserverType, ResultCodes.Device),
            SrContent.UidRef("HAS OBS CONTEXT", ResultCodes.DeviceObserverUid, ResultHeader.DeviceUid(a)),
            SrContent.Text("HAS OBS CONTEXT", ResultCodes.DeviceObserverName, a.Name),
            SrContent.Text("HAS OBS CONTEXT", ResultCodes.DeviceObserverManufacturer, ResultHeader.Manufacturer),
            SrContent.Text("HAS OBS CONTEXT", ResultCodes.DeviceObserverModelName, $"{a.Name} {a.Version}"),
            SrContent.Code("HAS CONCEPT MOD", ResultCodes.ProcedureReported, ResultCodes.ProcedureFor(study.Instances[0].Dataset)),
            // TID 1600 Image Library: every image the findings were inferred from.
            SrContent.Container("CONTAINS", ResultCodes.ImageLibrary,
            [
                SrContent.Container("CONTAINS", ResultCodes.ImageLibraryGroup,
                    study.Instances.Select(i => SrContent.Image("CONTAINS", null, i.SopClassUid, i.SopInstanceUid)).ToList()),
            ]),
        };

        var groups = new List<Dataset>();
        foreach (var instance in study.Instances)
        {
            foreach (var f in instance.Findings)
            {
                groups.Add(MeasurementGroup(study, instance, f, verification));
            }
        }
        items.Add(SrContent.Container("CONTAINS", ResultCodes.ImagingMeasurements, groups));

        var evaluations = new List<Dataset>
        {
            SrContent.Code("CONTAINS", ResultCodes.TriagePriority, study.Stat ? ResultCodes.HighPriority : ResultCodes.NormalPriority),
        };
        if (verification?.Comment is { Length: > 0 } comment)
        {
            evaluations.Add(SrContent.Text("CONTAINS", ResultCodes.Comment, comment));
        }
        items.Add(SrContent.Container("CONTAINS", ResultCodes.QualitativeEvaluations, evaluations));
        return items;
    }

    // TID 1501 Measurement and Qualitative Evaluation Group for one label on one image.
    private static Dataset MeasurementGroup(ScoredStudy study, ScoredInstance instance, ResultFinding f, Verification? verification)
    {
        var a = study.Algorithm;
        var algorithm = new[]
        {
            SrContent.Text("HAS CONCEPT MOD", ResultCodes.AlgorithmName, a.Name),
            SrContent.Text("HAS CONCEPT MOD", ResultCodes.AlgorithmVersion, a.Version),
            SrContent.Text("HAS CONCEPT MOD", ResultCodes.AlgorithmParameters, "manifest sha256=" + a.Sha256),
        };
        var children = new List<Dataset>
        {
            SrContent.Text("HAS OBS CONTEXT", ResultCodes.TrackingIdentifier, ResultHeader.Clip($"{f.Label} on image {instance.SopInstanceUid}", 64)),
            SrContent.UidRef("HAS OBS CONTEXT", ResultCodes.TrackingUniqueIdentifier,
                ResultUids.Derived($"tracking/{instance.SopInstanceUid}/{a.Name}/{f.Label}")),
            SrContent.Code("CONTAINS", ResultCodes.Finding, f.Code),
        };
        children.AddRange(algorithm);
        // TID 300 Measurement: the probability, inferred from the source image, with the operating threshold beside it.
        children.Add(SrContent.Num("CONTAINS", ResultCodes.Probability, f.Probability, ResultCodes.NoUnits,
        [
            SrContent.Image("INFERRED FROM", ResultCodes.SourceOfMeasurement, instance.SopClassUid, instance.SopInstanceUid),
        ]));
        children.Add(SrContent.Num("CONTAINS", ResultCodes.OperatingThreshold, f.Threshold, ResultCodes.NoUnits));
        children.Add(SrContent.Code("CONTAINS", f.Code, f.Positive ? ResultCodes.Present : ResultCodes.Absent));
        var decision = verification?.Decisions.FirstOrDefault(d => d.SopInstanceUid == instance.SopInstanceUid && d.Label == f.Label);
        if (decision is not null)
        {
            children.Add(SrContent.Code("CONTAINS", ResultCodes.ReviewDecision, decision.Confirmed ? ResultCodes.Confirmed : ResultCodes.Dismissed));
            if (decision.Comment is { Length: > 0 } comment)
            {
                children.Add(SrContent.Text("CONTAINS", ResultCodes.Comment, comment));
            }
        }
        return SrContent.Container("CONTAINS", ResultCodes.MeasurementGroup, children, "1501");
    }

    /// <summary>A Hierarchical SOP Instance Reference Macro item (PS3.3 Table C.17-3): study, series, instances.</summary>
    internal static Dataset HierarchicalReference(string studyUid, IReadOnlyList<(string Series, string SopClass, string SopInstance)> instances)
    {
        var item = ResultHeader.NewItem();
        item.SetString(Tag.StudyInstanceUID, VR.UI, studyUid);
        var series = new List<Dataset>();
        foreach (var group in instances.GroupBy(i => i.Series))
        {
            var s = ResultHeader.NewItem();
            s.SetString(Tag.SeriesInstanceUID, VR.UI, group.Key);
            s.Set(new DicomSequence(Tag.ReferencedSOPSequence, group.Select(i =>
            {
                var r = ResultHeader.NewItem();
                r.SetString(Tag.ReferencedSOPClassUID, VR.UI, i.SopClass);
                r.SetString(Tag.ReferencedSOPInstanceUID, VR.UI, i.SopInstance);
                return r;
            }).ToList()));
            series.Add(s);
        }
        item.Set(new DicomSequence(Tag.ReferencedSeriesSequence, series));
        return item;
    }
}
