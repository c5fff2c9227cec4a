using RemoteDx.Dicom;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>Small synthetic DICOM images with chosen pixel formats, written by RemoteDx.Dicom, for the inference
/// tests. The pixel pattern is smooth structure plus deterministic noise so percentiles and resizes are not
/// trivial.</summary>
public static class TestImages
{
    public sealed record Spec(
        int Rows = 200,
        int Columns = 300,
        int BitsAllocated = 16,
        int BitsStored = 12,
        bool Signed = false,
        string Photometric = "MONOCHROME2",
        double? Slope = null,
        double? Intercept = null,
        double? WindowCenter = null,
        double? WindowWidth = null,
        string Modality = "DX",
        string BodyPart = "CHEST",
        string ViewPosition = "PA",
        int Seed = 1);

    public static DicomFile Create(Spec s)
    {
        var ds = new Dataset();
        var uid = $"1.2.826.0.1.3680043.10.1234.{s.Seed}.{s.Rows}.{s.Columns}";
        ds.SetString(Tag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.1.1");
        ds.SetString(Tag.SOPInstanceUID, uid + ".3");
        ds.SetString(Tag.StudyInstanceUID, uid + ".1");
        ds.SetString(Tag.SeriesInstanceUID, uid + ".2");
        ds.SetString(Tag.Modality, s.Modality);
        ds.SetString(Tag.BodyPartExamined, s.BodyPart);
        ds.SetString(Tag.ViewPosition, s.ViewPosition);
        ds.SetUInt16(Tag.SamplesPerPixel, 1);
        ds.SetString(Tag.PhotometricInterpretation, s.Photometric);
        ds.SetUInt16(Tag.Rows, (ushort)s.Rows);
        ds.SetUInt16(Tag.Columns, (ushort)s.Columns);
        ds.SetUInt16(Tag.BitsAllocated, (ushort)s.BitsAllocated);
        ds.SetUInt16(Tag.BitsStored, (ushort)s.BitsStored);
        ds.SetUInt16(Tag.HighBit, (ushort)(s.BitsStored - 1));
        ds.SetUInt16(Tag.PixelRepresentation, (ushort)(s.Signed ? 1 : 0));
        if (s.Slope is { } slope)
        {
            ds.SetString(Tag.RescaleSlope, slope.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ds.SetString(Tag.RescaleIntercept, (s.Intercept ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (s.WindowCenter is { } c)
        {
            ds.SetString(Tag.WindowCenter, c.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ds.SetString(Tag.WindowWidth, s.WindowWidth!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var n = s.Rows * s.Columns;
        var bytesPer = s.BitsAllocated / 8;
        var pixels = new byte[n * bytesPer + (n * bytesPer) % 2];
        var rng = new Random(s.Seed);
        long max = s.Signed ? (1L << (s.BitsStored - 1)) - 1 : (1L << s.BitsStored) - 1;
        long min = s.Signed ? -(1L << (s.BitsStored - 1)) : 0;
        for (var y = 0; y < s.Rows; y++)
        {
            for (var x = 0; x < s.Columns; x++)
            {
                var t = 0.5 + 0.35 * Math.Sin(x * 0.05 + s.Seed) * Math.Cos(y * 0.07) + 0.1 * (rng.NextDouble() - 0.5);
                if ((x - s.Columns / 3) * (x - s.Columns / 3) + (y - s.Rows / 2) * (y - s.Rows / 2) < s.Rows * s.Rows / 25)
                {
                    t = 0.95;
                }
                var v = (long)Math.Round(min + Math.Clamp(t, 0, 1) * (max - min));
                var i = y * s.Columns + x;
                if (bytesPer == 1)
                {
                    pixels[i] = (byte)v;
                }
                else
                {
                    pixels[2 * i] = (byte)(v & 0xFF);
                    pixels[2 * i + 1] = (byte)((v >> 8) & 0xFF);
                }
            }
        }
        ds.SetBytes(Tag.PixelData, s.BitsAllocated == 8 ? VR.OB : VR.OW, pixels);
        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation();
        return file;
    }

    public static string Save(Spec s, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        Create(s).Save(path);
        return path;
    }
}
