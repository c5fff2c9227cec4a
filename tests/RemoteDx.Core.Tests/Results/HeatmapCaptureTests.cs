using RemoteDx.Core.Results;
using RemoteDx.Dicom;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Results;

/// <summary>Heatmap Secondary Capture images: one per positive finding, valid for dciodvfy, readable by pydicom, with
/// the warning burned in and the heatmap visible over the source.</summary>
public sealed class HeatmapCaptureTests
{
    [Fact]
    public void Each_positive_finding_gets_an_RGB_secondary_capture_that_passes_dciodvfy_and_pydicom_reads()
    {
        var dir = TempDirectory.ForTestRun();
        foreach (var study in new[] { ResultStudies.TwoImageStudy(), ResultStudies.CrStudy() })
        {
            var captures = HeatmapCapture.CreateAll(study, ResultStudies.Scored);
            var positives = study.Instances.SelectMany(i => i.Findings.Where(f => f.Positive).Select(f => (i, f))).ToList();
            Assert.Equal(positives.Count, captures.Count);
            for (var n = 0; n < captures.Count; n++)
            {
                var ds = captures[n].Dataset;
                var (instance, finding) = positives[n];
                Assert.Equal(DicomUids.SecondaryCaptureImageStorage, ds.GetString(Tag.SOPClassUID));
                Assert.Equal(instance.Dataset.GetString(Tag.StudyInstanceUID), ds.GetString(Tag.StudyInstanceUID));
                Assert.Equal(HeatmapCapture.SeriesInstanceUid(study.StudyInstanceUid), ds.GetString(Tag.SeriesInstanceUID));
                Assert.Equal("YES", ds.GetString(Tag.BurnedInAnnotation));
                Assert.Equal(instance.SopInstanceUid, ds.GetSequence(Tag.SourceImageSequence)!.Items[0].GetString(Tag.ReferencedSOPInstanceUID));
                Assert.Contains(finding.Code.Meaning, ds.GetString(Tag.ImageComments));

                var path = Path.Combine(dir, $"{study.StudyInstanceUid}-{n}.dcm");
                captures[n].Save(path);
                Dciodvfy.AssertValid(path);
                // pydicom: RGB, 8 bits, the caption box black with white text top-left, the heatmap coloured somewhere.
                var output = Tool.PythonOk("""
                    import sys, pydicom, numpy as np
                    ds = pydicom.dcmread(sys.argv[1])
                    a = ds.pixel_array.astype(int)
                    box = a[:10, :200]
                    colour = np.abs(a[..., 0] - a[..., 2]) > 60
                    print(ds.PhotometricInterpretation, ds.BitsAllocated, a.shape[2], ds.BurnedInAnnotation,
                          int((box == 255).all(axis=2).any()), int((box == 0).all(axis=2).any()), int(colour.mean() > 0.01))
                    """, path).Trim();
                Assert.Equal("RGB 8 3 YES 1 1 1", output);
            }
        }
    }

    [Fact]
    public void The_capture_is_the_source_as_displayed_where_the_heatmap_is_zero()
    {
        var study = ResultStudies.CrStudy();
        var instance = study.Instances[0];
        var finding = instance.Findings[0] with { Heatmap = new RemoteDx.Core.Inference.Heatmap(null, 4, 4, new float[16]) };
        var capture = HeatmapCapture.Create(study, instance, finding, 1, ResultStudies.Scored);
        var shown = RemoteDx.Dicom.Imaging.ImageRenderer.Render(instance.Source, new RemoteDx.Dicom.Imaging.RenderOptions());
        var rgb = capture.Dataset[Tag.PixelData]!.Buffer.Span;
        var rows = capture.Dataset.GetInt(Tag.Rows)!.Value;
        var columns = capture.Dataset.GetInt(Tag.Columns)!.Value;
        Assert.Equal(shown.Height, rows);
        Assert.Equal(shown.Width, columns);
        // Below the caption box every pixel is the displayed grey value in all three channels.
        for (var y = rows / 2; y < rows; y += 37)
        {
            for (var x = 0; x < columns; x += 41)
            {
                var grey = shown.Pixels[y * columns + x];
                var p = 3 * (y * columns + x);
                Assert.Equal((grey, grey, grey), (rgb[p], rgb[p + 1], rgb[p + 2]));
            }
        }
    }
}
