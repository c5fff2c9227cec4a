using System.Globalization;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Imaging;

namespace RemoteDx.Core.Results;

/// <summary>A positive finding's heatmap as a Secondary Capture image (PS3.3 A.8.1): the source image as displayed
/// (modality LUT, its window, MONOCHROME1 inverted) in 8-bit RGB, the model's heatmap blended over it with the viewer's
/// colour map (<see cref="HeatmapImages"/>), and "AI heatmap - not for diagnosis" burned in (Burned In Annotation
/// YES). The images form their own series in the study: a series has one modality, and these are OT, not SR.</summary>
public static class HeatmapCapture
{
    public const string SeriesDescription = "AI heatmaps (RemoteDx)";
    public const int SeriesNumber = 9902;
    public const string Caption = "AI heatmap - not for diagnosis";

    /// <summary>Longest side of the capture; larger sources are reduced (the heatmap is far coarser anyway).</summary>
    public const int MaxSide = 1024;

    public static string SeriesInstanceUid(string studyInstanceUid) => ResultUids.Derived("sc-series/" + studyInstanceUid);

    /// <summary>One image per positive finding that has a heatmap, numbered from 1.</summary>
    public static IReadOnlyList<DicomFile> CreateAll(ScoredStudy study, DateTimeOffset created)
    {
        var files = new List<DicomFile>();
        foreach (var instance in study.Instances)
        {
            foreach (var f in instance.Findings)
            {
                if (f.Positive && f.Heatmap is { } map && map.Width > 0 && map.Height > 0 && map.Values.Length == map.Width * map.Height)
                {
                    files.Add(Create(study, instance, f, files.Count + 1, created));
                }
            }
        }
        return files;
    }

    public static DicomFile Create(ScoredStudy study, ScoredInstance instance, ResultFinding finding, int instanceNumber, DateTimeOffset created,
        string? sopInstanceUid = null)
    {
        var map = finding.Heatmap ?? throw new ArgumentException($"finding '{finding.Label}' has no heatmap", nameof(finding));
        var (rgb, width, height) = Render(instance.Source, map, finding.Letterbox);
        var inv = CultureInfo.InvariantCulture;
        BurnedInText.Draw(rgb, width, height,
            [Caption, $"{finding.Label} p={finding.Probability.ToString("0.00", inv)}", $"{study.Algorithm.Name} {study.Algorithm.Version}"]);

        var src = instance.Dataset;
        var ds = ResultHeader.Create(src, study.Algorithm, DicomUids.SecondaryCaptureImageStorage, sopInstanceUid ?? ResultUids.New(), "OT",
            SeriesInstanceUid(study.StudyInstanceUid), SeriesNumber, SeriesDescription, instanceNumber, created);
        var t = created.ToUniversalTime();
        ds.SetString(Tag.ImageType, VR.CS, "DERIVED\\SECONDARY");
        ds.SetString(Tag.ConversionType, VR.CS, "WSD");  // WSD: made on a workstation
        ds.SetString(Tag.ContentDate, VR.DA, t.ToString("yyyyMMdd", inv));
        ds.SetString(Tag.ContentTime, VR.TM, t.ToString("HHmmss", inv));
        ds.SetString(Tag.DateOfSecondaryCapture, VR.DA, t.ToString("yyyyMMdd", inv));
        ds.SetString(Tag.TimeOfSecondaryCapture, VR.TM, t.ToString("HHmmss", inv));
        ds.SetString(Tag.PatientOrientation, VR.CS, src.GetString(Tag.PatientOrientation) ?? "");
        if (src.GetString(Tag.ImageLaterality) is { Length: > 0 } laterality)
        {
            ds.SetString(Tag.ImageLaterality, VR.CS, laterality);
        }
        if (src.GetString(Tag.BodyPartExamined) is { Length: > 0 } bodyPart)
        {
            ds.SetString(Tag.BodyPartExamined, VR.CS, bodyPart);
        }
        ds.SetString(Tag.DerivationDescription, VR.ST, ResultHeader.Clip(
            $"{Caption}. {study.Algorithm.Name} {study.Algorithm.Version} heatmap for {finding.Code.Meaning} blended over the source image", 1024));
        var source = ResultHeader.NewItem();
        source.SetString(Tag.ReferencedSOPClassUID, VR.UI, instance.SopClassUid);
        source.SetString(Tag.ReferencedSOPInstanceUID, VR.UI, instance.SopInstanceUid);
        ds.Set(new DicomSequence(Tag.SourceImageSequence, [source]));
        ds.SetString(Tag.ImageComments, VR.LT,
            $"{Caption}. {finding.Code.Meaning} ({finding.Label}) probability {finding.Probability.ToString("0.####", inv)}, threshold {finding.Threshold.ToString("0.####", inv)}.");
        ds.SetString(Tag.BurnedInAnnotation, VR.CS, "YES");
        ds.SetString(Tag.LossyImageCompression, VR.CS, "00");

        ds.SetUInt16(Tag.SamplesPerPixel, 3);
        ds.SetString(Tag.PhotometricInterpretation, VR.CS, "RGB");
        ds.SetUInt16(Tag.PlanarConfiguration, 0);
        ds.SetUInt16(Tag.Rows, (ushort)height);
        ds.SetUInt16(Tag.Columns, (ushort)width);
        ds.SetUInt16(Tag.BitsAllocated, 8);
        ds.SetUInt16(Tag.BitsStored, 8);
        ds.SetUInt16(Tag.HighBit, 7);
        ds.SetUInt16(Tag.PixelRepresentation, 0);
        ds.SetBytes(Tag.PixelData, VR.OB, rgb);

        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation();
        return file;
    }

    /// <summary>The displayed source in RGB with the heatmap blended in, reduced to <see cref="MaxSide"/>.</summary>
    internal static (byte[] Rgb, int Width, int Height) Render(DicomFile source, Heatmap map, InputPlacement placement)
    {
        var shown = ImageRenderer.Render(source, new RenderOptions());
        var step = Math.Max(1, (Math.Max(shown.Width, shown.Height) + MaxSide - 1) / MaxSide);
        var width = shown.Width / step;
        var height = shown.Height / step;
        var rgb = new byte[width * height * 3];
        // The image's place in the map (letterbox padding), as HeatmapImages.ToPng maps it.
        var left = Math.Clamp(placement.Left, 0f, 1f) * map.Width;
        var top = Math.Clamp(placement.Top, 0f, 1f) * map.Height;
        var w = (placement.Width > 0 ? Math.Min(placement.Width, 1f) : 1f) * map.Width;
        var h = (placement.Height > 0 ? Math.Min(placement.Height, 1f) : 1f) * map.Height;
        for (var y = 0; y < height; y++)
        {
            var sy = top + (y + 0.5f) * h / height - 0.5f;
            for (var x = 0; x < width; x++)
            {
                var sx = left + (x + 0.5f) * w / width - 0.5f;
                var colour = HeatmapImages.Colour(HeatmapImages.Sample(map, sx, sy));
                var alpha = colour.A / 255f;
                var p = (y * step * shown.Width + x * step) * shown.Channels;
                var o = 3 * (y * width + x);
                for (var c = 0; c < 3; c++)
                {
                    var under = shown.Pixels[p + (shown.Channels >= 3 ? c : 0)];
                    var over = c == 0 ? colour.R : c == 1 ? colour.G : colour.B;
                    rgb[o + c] = (byte)Math.Clamp((int)MathF.Round(under * (1 - alpha) + over * alpha), 0, 255);
                }
            }
        }
        return (rgb, width, height);
    }
}
