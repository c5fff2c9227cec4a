using System.Globalization;
using System.Text;

namespace RemoteDx.Phantoms;

/// <summary>The curated sample set shipped in sample-dicom/: normal and clearly abnormal chest studies from three
/// clinics, one two-image study, compressed files and a hand radiograph no chest model applies to.</summary>
public static class PhantomSamples
{
    public const long Seed = 20250101;
    public const int Size = 1024;

    public static IReadOnlyList<PhantomCaseSpec> Specs()
    {
        var a = Clinic.All[0];
        var b = Clinic.All[1];
        var c = Clinic.All[2];
        var none = PhantomFindings.None;
        PhantomCaseSpec Spec(int index, string file, Clinic clinic, PhantomFindings findings, ProjectionView view, string modality,
            string photometric, PixelEncoding encoding) => new()
        {
            Seed = Seed,
            Index = index,
            FileName = file,
            Clinic = clinic,
            Findings = findings,
            View = view,
            Modality = modality,
            Photometric = photometric,
            Encoding = encoding,
            Size = Size,
        };
        var twoViews = none.With(Finding.Effusion, 3).With(Finding.Cardiomegaly, 3);
        return
        [
            Spec(1, "clinic-a/normal-pa-1.dcm", a, none, ProjectionView.PA, "DX", "MONOCHROME2", PixelEncoding.JpegLossless),
            Spec(2, "clinic-a/pneumothorax-pa.dcm", a, none.With(Finding.Pneumothorax, 3), ProjectionView.PA, "DX", "MONOCHROME2", PixelEncoding.JpegLossless),
            Spec(3, "clinic-a/effusion-cardiomegaly/1-pa.dcm", a, twoViews, ProjectionView.PA, "DX", "MONOCHROME2", PixelEncoding.JpegLossless)
                with { StudyKey = "effusion-cardiomegaly", InstanceNumber = 1 },
            Spec(3, "clinic-a/effusion-cardiomegaly/2-pa-repeat.dcm", a, twoViews, ProjectionView.PA, "DX", "MONOCHROME2", PixelEncoding.JpegLossless)
                with { StudyKey = "effusion-cardiomegaly", InstanceNumber = 2, AcquisitionIndex = 1003 },
            Spec(4, "clinic-b/normal-ap.dcm", b, none, ProjectionView.AP, "CR", "MONOCHROME1", PixelEncoding.Rle),
            Spec(5, "clinic-b/mass-pa.dcm", b, none.With(Finding.Nodule, 3), ProjectionView.PA, "CR", "MONOCHROME1", PixelEncoding.JpegLossless),
            Spec(6, "clinic-b/consolidation-pa.dcm", b, none.With(Finding.Consolidation, 3), ProjectionView.PA, "CR", "MONOCHROME1", PixelEncoding.Native),
            Spec(7, "clinic-b/hand.dcm", b, none, ProjectionView.PA, "CR", "MONOCHROME1", PixelEncoding.JpegLossless) with { BodyPart = PhantomBodyPart.Hand },
            Spec(8, "clinic-c/normal-pa-2.dcm", c, none, ProjectionView.PA, "DX", "MONOCHROME1", PixelEncoding.JpegLossless),
            Spec(9, "clinic-c/cardiomegaly-pa.dcm", c, none.With(Finding.Cardiomegaly, 3), ProjectionView.PA, "DX", "MONOCHROME2", PixelEncoding.Rle),
            Spec(10, "clinic-c/effusion-ap.dcm", c, none.With(Finding.Effusion, 3), ProjectionView.AP, "DX", "MONOCHROME2", PixelEncoding.JpegLossless),
            Spec(11, "clinic-c/normal-pa-3.dcm", c, none, ProjectionView.PA, "DX", "MONOCHROME2", PixelEncoding.Native),
        ];
    }

    /// <summary>Writes every sample, labels.csv (file, then one 0/1 column per label) and README.md.</summary>
    public static IReadOnlyList<PhantomCase> Write(string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var specs = Specs();
        var cases = new PhantomCase[specs.Count];
        Parallel.For(0, specs.Count, i =>
        {
            var c = PhantomGenerator.Generate(specs[i]);
            PhantomGenerator.Write(c, Path.Combine(outputDirectory, c.FileName));
            cases[i] = c with { Pixels = [] };
        });
        PhantomGenerator.WriteLabels(Path.Combine(outputDirectory, "labels.csv"), cases, detailed: false);
        File.WriteAllText(Path.Combine(outputDirectory, "README.md"), Readme(cases));
        return cases;
    }

    private static string Readme(IReadOnlyList<PhantomCase> cases)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("""
            # Sample DICOM

            Synthetic radiographs made by `remotedx phantoms --samples --out sample-dicom` (the generator in
            `src/RemoteDx.Phantoms/`, seed 20250101, 1024 x 1024, 12 bits stored). They are phantoms, not patients:
            names, ids and institutions are invented, and nothing here is fit for clinical use. Regenerating gives
            byte-identical files (`tools/train/make_samples.sh` also checks the demonstration model ranks them).

            `labels.csv` holds the ground truth: `file` (relative to this folder), then one 0/1 column per label of
            `models/cxr-triage`. Send each clinic's folder with its calling AE title, for example
            `remotedx send localhost 11112 sample-dicom/clinic-a --aet CLINIC_A --called-aet REMOTEDX`, or with DCMTK one run
            per transfer syntax (storescu proposes one compressed syntax per run and does not decompress): `-xs` for the JPEG
            Lossless files, `-xr` for the RLE ones, no flag for the uncompressed ones, e.g.
            `storescu -aet CLINIC_A -aec REMOTEDX -xs localhost 11112 sample-dicom/clinic-a/normal-pa-1.dcm`.

            | file | institution (calling AE) | study | view | modality, photometric | transfer syntax | ground truth | CTR |
            |---|---|---|---|---|---|---|---|

            """);
        foreach (var c in cases)
        {
            var truth = c.Spec.BodyPart == PhantomBodyPart.Hand ? "hand, no chest finding (no chest model applies)" : c.Findings.ToString();
            var ctr = c.Spec.BodyPart == PhantomBodyPart.Hand ? "-" : c.CardiothoracicRatio.ToString("0.00", inv);
            var study = c.Spec.StudyKey is null ? "single image" : $"two images, instance {c.Spec.InstanceNumber}";
            sb.Append(inv, $"| `{c.FileName}` | {c.Clinic.InstitutionName} ({c.Clinic.AeTitle}) | {study} | {c.Acquisition.View} | ")
                .Append(inv, $"{c.Acquisition.Modality}, {c.Acquisition.Photometric} | {PhantomGenerator.SyntaxOf(c.Acquisition.Encoding).Name} | {truth} | {ctr} |\n");
        }
        sb.Append("""

            Severity grades: mild, moderate, severe (see `src/RemoteDx.Phantoms/FindingPlan.cs`); a cardiothoracic
            ratio (CTR) above 0.5, measured on the drawn heart and thorax masks, is cardiomegaly. The two images of the
            effusion/cardiomegaly study are the same patient exposed twice (the second a repeat with new positioning).
            `clinic-b/hand.dcm` (BodyPartExamined HAND) is a study no chest model applies to.

            """);
        return sb.ToString();
    }
}
