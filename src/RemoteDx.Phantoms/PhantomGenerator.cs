using System.Globalization;
using System.Text;
using RemoteDx.Dicom;

namespace RemoteDx.Phantoms;

/// <summary>Generates phantoms: one case from a <see cref="PhantomCaseSpec"/>, or a batch of files with a labels.csv.
/// Every random choice comes from streams keyed by (seed, case, purpose), so a seed always gives byte-identical files
/// whatever the degree of parallelism.</summary>
public static class PhantomGenerator
{
    public const double ChestFieldOfViewMm = 430;
    public const double HandFieldOfViewMm = 240;

    private static readonly DateTime FirstStudyDay = new(2025, 1, 6, 0, 0, 0, DateTimeKind.Unspecified);

    public static PhantomCase Generate(PhantomCaseSpec spec, bool keepLayers = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Size is < 64 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), $"size {spec.Size} is outside 64..4096");
        }
        var seed = spec.Seed;
        var index = spec.Index;
        var acquisitionIndex = spec.AcquisitionIndex ?? index;
        var chest = spec.BodyPart == PhantomBodyPart.Chest;
        var caseRng = PhantomRandom.For(seed, index, "case");
        var findings = chest ? spec.Findings ?? PhantomFindings.Sample(caseRng, spec.FindingsRate) : PhantomFindings.None;
        var view = spec.View ?? (chest && caseRng.Chance(0.3) ? ProjectionView.AP : ProjectionView.PA);
        var clinic = spec.Clinic ?? caseRng.Pick(Clinic.All);

        var acquisition = Acquisition.Sample(PhantomRandom.For(seed, acquisitionIndex, "acquisition"), view, spec.Encoding);
        acquisition = acquisition with
        {
            Modality = spec.Modality ?? acquisition.Modality,
            Photometric = spec.Photometric ?? acquisition.Photometric,
        };
        if (!chest)
        {
            acquisition = acquisition with { RotationDegrees = acquisition.RotationDegrees * 2, ScatterToPrimary = 0.15, KVp = 55, SourceToDetectorMm = 1000 };
        }

        var studyKey = spec.StudyKey ?? "case/" + index.ToString(CultureInfo.InvariantCulture);
        var identityRng = PhantomRandom.For(seed, 0, "patient/" + studyKey);
        var studyTime = FirstStudyDay.AddDays(identityRng.Next(0, 540)).AddMinutes(identityRng.Next(7 * 60, 19 * 60));

        float[] attenuation;
        ChestLayers? layers = null;
        char sex;
        int age;
        double fov;
        double ctr = 0;
        if (chest)
        {
            var anatomy = ChestAnatomy.Sample(PhantomRandom.For(seed, index, "anatomy"), findings, view);
            fov = ChestFieldOfViewMm;
            layers = ChestRenderer.Render(anatomy, findings, view, spec.Size, fov,
                PhantomRandom.For(seed, index, "findings"), PhantomRandom.For(seed, index, "texture"));
            attenuation = layers.Attenuation;
            sex = anatomy.Sex;
            age = anatomy.Age;
            ctr = layers.MeasureCardiothoracicRatio();
        }
        else
        {
            fov = HandFieldOfViewMm;
            attenuation = HandRenderer.Render(spec.Size, fov, PhantomRandom.For(seed, index, "anatomy"));
            sex = identityRng.Chance(0.5) ? 'F' : 'M';
            age = identityRng.Next(18, 80);
        }
        var spacing = fov / spec.Size;
        var (pixels, wc, ww) = Detector.Expose(attenuation, spec.Size, spacing, acquisition, PhantomRandom.For(seed, acquisitionIndex, "noise"));
        var patient = SyntheticPatient.Sample(identityRng, sex, age, DateOnly.FromDateTime(studyTime));

        var series = $"{studyKey}/{spec.SeriesNumber}";
        return new PhantomCase
        {
            Spec = spec,
            FileName = spec.FileName ?? $"case-{index:D5}.dcm",
            Findings = findings,
            CardiothoracicRatio = ctr,
            Acquisition = acquisition,
            Clinic = clinic,
            Patient = patient,
            StudyInstanceUid = PhantomUids.Create(seed, "study/" + studyKey),
            SeriesInstanceUid = PhantomUids.Create(seed, "series/" + series),
            SopInstanceUid = PhantomUids.Create(seed, $"sop/{series}/{spec.InstanceNumber}/{index}/{acquisitionIndex}"),
            StudyDateTime = studyTime,
            Size = spec.Size,
            PixelSpacing = spacing,
            Pixels = pixels,
            WindowCenter = wc,
            WindowWidth = ww,
            Layers = keepLayers ? layers : null,
        };
    }

    /// <summary>Generates <paramref name="count"/> chest cases into <paramref name="outputDirectory"/> with a labels.csv;
    /// returns the cases (without their pixels) in index order.</summary>
    public static IReadOnlyList<PhantomCase> WriteBatch(PhantomBatchOptions options, string outputDirectory, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(outputDirectory);
        var cases = new PhantomCase[options.Count];
        var done = 0;
        Parallel.For(0, options.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism ?? Environment.ProcessorCount }, i =>
        {
            var spec = new PhantomCaseSpec
            {
                Seed = options.Seed,
                Index = i,
                FindingsRate = options.FindingsRate,
                Size = options.Size,
                Encoding = options.Encoding,
            };
            var c = Generate(spec);
            Write(c, Path.Combine(outputDirectory, c.FileName));
            cases[i] = c with { Pixels = [] };
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        WriteLabels(Path.Combine(outputDirectory, "labels.csv"), cases, detailed: true);
        return cases;
    }

    /// <summary>Writes the case as a Part 10 file (temporary name, then renamed, so a reader never sees half a file).</summary>
    public static void Write(PhantomCase c, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        PhantomDicom.Create(c).Save(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>labels.csv: `file` then one 0/1 column per label; the detailed form adds severities, the measured
    /// cardiothoracic ratio and acquisition columns.</summary>
    public static void WriteLabels(string path, IEnumerable<PhantomCase> cases, bool detailed)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("file");
        foreach (var name in PhantomLabels.Names)
        {
            sb.Append(',').Append(name);
        }
        if (detailed)
        {
            foreach (var name in PhantomLabels.Names)
            {
                sb.Append(',').Append(name).Append("_severity");
            }
            sb.Append(",ctr,body_part,view,modality,photometric,transfer_syntax,institution,calling_aet");
        }
        sb.Append('\n');
        foreach (var c in cases)
        {
            sb.Append(c.FileName.Replace('\\', '/'));
            for (var i = 0; i < PhantomLabels.Count; i++)
            {
                sb.Append(',').Append(c.Findings.Has((Finding)i) ? '1' : '0');
            }
            if (detailed)
            {
                for (var i = 0; i < PhantomLabels.Count; i++)
                {
                    sb.Append(',').Append(c.Findings[(Finding)i].ToString(inv));
                }
                sb.Append(',').Append(c.CardiothoracicRatio.ToString("0.0000", inv))
                    .Append(',').Append(c.Spec.BodyPart == PhantomBodyPart.Chest ? "CHEST" : "HAND")
                    .Append(',').Append(c.Acquisition.View)
                    .Append(',').Append(c.Acquisition.Modality)
                    .Append(',').Append(c.Acquisition.Photometric)
                    .Append(',').Append(SyntaxOf(c.Acquisition.Encoding).Uid)
                    .Append(",\"").Append(c.Clinic.InstitutionName).Append('"')
                    .Append(',').Append(c.Clinic.AeTitle);
            }
            sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }

    public static TransferSyntax SyntaxOf(PixelEncoding encoding) => encoding switch
    {
        PixelEncoding.Rle => TransferSyntax.RLELossless,
        PixelEncoding.JpegLossless => TransferSyntax.JPEGLosslessSV1,
        _ => TransferSyntax.ExplicitVRLittleEndian,
    };
}
