using System.Globalization;
using RemoteDx.Dicom;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>The DICOM the browser tests send: digital chest radiographs (DX, CHEST, PA, 512×512, 12-bit), which the
/// chest triage model applies to. Each study gets fresh UIDs so runs never collide.</summary>
public static class TestStudies
{
    public const string XssName = "<img src=x onerror=alert(1)>";

    private const string DigitalXRayForPresentation = "1.2.840.10008.5.1.4.1.1.1.1";

    public static string NewUid() => RemoteDx.Testing.TestUids.New();

    /// <summary>Writes one single-image study; returns the file and its Study Instance UID. Another body part (HAND)
    /// makes a study no model applies to; <paramref name="studyUid"/> adds the image to that study (a series of its own,
    /// Instance Number <paramref name="instanceNumber"/>).</summary>
    public static (string Path, string StudyUid) WriteChestRadiograph(string directory, string patientName, string patientId, int seed,
        string bodyPart = "CHEST", string? studyUid = null, int instanceNumber = 1)
    {
        studyUid ??= NewUid();
        var sopUid = NewUid();
        var ds = new Dataset();
        if (!System.Text.Ascii.IsValid(patientName))
        {
            ds.SetString(new Tag(0x0008, 0x0005), VR.CS, "ISO_IR 192"); // UTF-8, for names beyond ASCII
        }
        ds.SetString(new Tag(0x0008, 0x0016), VR.UI, DigitalXRayForPresentation);
        ds.SetString(new Tag(0x0008, 0x0018), VR.UI, sopUid);
        ds.SetString(new Tag(0x0008, 0x0020), VR.DA, "20261128");
        ds.SetString(new Tag(0x0008, 0x0030), VR.TM, "120000");
        ds.SetString(new Tag(0x0008, 0x0050), VR.SH, "ACC" + seed.ToString(CultureInfo.InvariantCulture));
        ds.SetString(new Tag(0x0008, 0x0060), VR.CS, "DX");
        ds.SetString(new Tag(0x0008, 0x0068), VR.CS, "FOR PRESENTATION");
        ds.SetString(new Tag(0x0008, 0x0080), VR.LO, "Browser Test Clinic");
        ds.SetString(new Tag(0x0008, 0x1030), VR.LO, bodyPart + " PA");
        ds.SetString(new Tag(0x0010, 0x0010), VR.PN, patientName);
        ds.SetString(new Tag(0x0010, 0x0020), VR.LO, patientId);
        ds.SetString(new Tag(0x0010, 0x0030), VR.DA, "19700101");
        ds.SetString(new Tag(0x0010, 0x0040), VR.CS, "F");
        ds.SetString(new Tag(0x0010, 0x1010), VR.AS, "054Y");
        ds.SetString(new Tag(0x0018, 0x0015), VR.CS, bodyPart);
        ds.SetString(new Tag(0x0018, 0x5101), VR.CS, "PA");
        ds.SetString(new Tag(0x0020, 0x000D), VR.UI, studyUid);
        ds.SetString(new Tag(0x0020, 0x000E), VR.UI, NewUid());
        ds.SetString(new Tag(0x0020, 0x0010), VR.SH, "1");
        ds.SetString(new Tag(0x0020, 0x0011), VR.IS, "1");
        ds.SetString(new Tag(0x0020, 0x0013), VR.IS, instanceNumber.ToString(CultureInfo.InvariantCulture));
        ds.SetString(new Tag(0x0028, 0x0004), VR.CS, "MONOCHROME2");
        ds.SetUInt16(new Tag(0x0028, 0x0002), 1);
        ds.SetUInt16(new Tag(0x0028, 0x0010), Size);
        ds.SetUInt16(new Tag(0x0028, 0x0011), Size);
        ds.SetUInt16(new Tag(0x0028, 0x0100), 16);
        ds.SetUInt16(new Tag(0x0028, 0x0101), 12);
        ds.SetUInt16(new Tag(0x0028, 0x0102), 11);
        ds.SetUInt16(new Tag(0x0028, 0x0103), 0);
        ds.SetString(new Tag(0x0028, 0x1050), VR.DS, "2048");
        ds.SetString(new Tag(0x0028, 0x1051), VR.DS, "4096");
        ds.SetString(new Tag(0x2050, 0x0020), VR.CS, "IDENTITY");
        ds.SetBytes(new Tag(0x7FE0, 0x0010), VR.OW, Phantom(seed));
        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation("RDXBROWSER");
        var path = System.IO.Path.Combine(directory, sopUid + ".dcm");
        file.Save(path);
        return (path, studyUid);
    }

    private const ushort Size = 512;

    /// <summary>A crude chest: bright body, two dark lung fields, a spine, some texture; varied by seed.</summary>
    private static byte[] Phantom(int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[Size * Size * 2];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                double nx = (x - Size / 2.0) / (Size / 2.0), ny = (y - Size / 2.0) / (Size / 2.0);
                var v = 300.0;
                if (nx * nx / 0.8 + ny * ny / 0.95 < 1)
                {
                    v = 2600;
                }
                foreach (var cx in new[] { -0.42, 0.42 })
                {
                    var lx = (nx - cx) / 0.3;
                    var ly = (ny + 0.05) / 0.62;
                    if (lx * lx + ly * ly < 1)
                    {
                        v = 900 + 250 * Math.Sin(x / 9.0 + seed) * Math.Cos(y / 11.0);
                    }
                }
                if (Math.Abs(nx) < 0.07)
                {
                    v = 3300;
                }
                v += rng.Next(-60, 60);
                var s = (ushort)Math.Clamp(v, 0, 4095);
                bytes[(y * Size + x) * 2] = (byte)s;
                bytes[(y * Size + x) * 2 + 1] = (byte)(s >> 8);
            }
        }
        return bytes;
    }
}
