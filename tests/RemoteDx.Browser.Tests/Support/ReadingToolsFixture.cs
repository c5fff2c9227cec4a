using System.Globalization;
using RemoteDx.Dicom;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>`remotedx serve` (scoring off: the reading tools need no findings) with three images chosen for the viewer's
/// windowing and reading tools, sent with DCMTK storescu:
/// a 1200×1500 DX chest film (PA, Imager Pixel Spacing only, two windows of its own with explanations) from clinic A;
/// a 256×256 CT slice (signed, rescale intercept −1024, Pixel Spacing, Patient Orientation L\P) from clinic A;
/// a 400×300 CR film in MONOCHROME1 with no spacing and no orientation from clinic B.</summary>
public sealed class ReadingToolsFixture : IAsyncLifetime
{
    public const string ClinicA = "CLINIC_A";
    public const string ClinicB = "CLINIC_B";

    /// <summary>Imager Pixel Spacing of the DX film (mm, row and column).</summary>
    public const double DetectorSpacing = 0.15;

    /// <summary>Pixel Spacing of the CT slice (mm).</summary>
    public const double CtSpacing = 0.7;

    private readonly TempDirectory _root = new("browser-tools");

    public RemoteDxServe Server { get; private set; } = null!;

    public Uri BaseUrl => Server.BaseUrl;

    public TestUser Radiologist { get; } = new("dr_ray", "pw-" + Guid.NewGuid().ToString("N")[..16], "radiologist", null);

    public TestUser ClinicUser { get; } = new("clinic_b", "pw-" + Guid.NewGuid().ToString("N")[..16], "clinic", ClinicB);

    public (string Study, string Sop) Film { get; private set; }

    public (string Study, string Sop) Ct { get; private set; }

    public (string Study, string Sop) Plain { get; private set; }

    public async Task InitializeAsync()
    {
        Paths.RequireBrowser();
        var storescu = Tool.Require("storescu");
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        Server = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
        {
            ["RemoteDx__Scoring__Workers"] = "0",
            ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        });
        foreach (var u in new[] { Radiologist, ClinicUser })
        {
            await RemoteDxUsers.AddAsync(data, u.Name, u.Role, u.Password, u.Clinic is null ? null : [u.Clinic]);
        }
        var input = Path.Combine(_root, "input");
        Directory.CreateDirectory(input);
        var film = Write(input, new Image("FILM^BIG", "DX", 1500, 1200, Signed: false, Bits: 12, "MONOCHROME2")
        {
            ImagerPixelSpacing = DetectorSpacing, ViewPosition = "PA",
            Windows = ("2000\\2400", "3000\\1200", "NORMAL\\HARD"),
        });
        var ct = Write(input, new Image("SLICE^CT", "CT", 256, 256, Signed: true, Bits: 16, "MONOCHROME2")
        {
            PixelSpacing = CtSpacing, PatientOrientation = "L\\P", Intercept = -1024, Windows = ("40", "400", "ABDOMEN"),
        });
        var plain = Write(input, new Image("PLAIN^PIX", "CR", 300, 400, Signed: false, Bits: 10, "MONOCHROME1"));
        await Send(storescu, ClinicA, film.Path, ct.Path);
        await Send(storescu, ClinicB, plain.Path);
        (Film, Ct, Plain) = ((film.Study, film.Sop), (ct.Study, ct.Sop), (plain.Study, plain.Sop));
        await WaitUntilListedAsync([Film.Study, Ct.Study, Plain.Study]);
    }

    private sealed record Image(string Patient, string Modality, int Rows, int Columns, bool Signed, int Bits, string Photometric)
    {
        public double? PixelSpacing { get; init; }
        public double? ImagerPixelSpacing { get; init; }
        public string? ViewPosition { get; init; }
        public string? PatientOrientation { get; init; }
        public double Intercept { get; init; }
        public (string Centers, string Widths, string Explanations)? Windows { get; init; }
    }

    private static (string Path, string Study, string Sop) Write(string directory, Image im)
    {
        var study = TestUids.New();
        var sop = TestUids.New();
        var ds = new Dataset();
        var sopClass = im.Modality switch { "CT" => "1.2.840.10008.5.1.4.1.1.2", "CR" => "1.2.840.10008.5.1.4.1.1.1", _ => "1.2.840.10008.5.1.4.1.1.1.1" };
        ds.SetString(Tag.SOPClassUID, VR.UI, sopClass);
        ds.SetString(Tag.SOPInstanceUID, VR.UI, sop);
        ds.SetString(Tag.StudyDate, VR.DA, "20261201");
        ds.SetString(Tag.StudyTime, VR.TM, "101500");
        ds.SetString(Tag.AccessionNumber, VR.SH, "RT" + sop[^4..]);
        ds.SetString(Tag.Modality, VR.CS, im.Modality);
        ds.SetString(Tag.StudyDescription, VR.LO, im.Modality + " reading tools");
        ds.SetString(Tag.PatientName, VR.PN, im.Patient);
        ds.SetString(Tag.PatientID, VR.LO, "RT-" + im.Modality);
        ds.SetString(Tag.PatientBirthDate, VR.DA, "19600101");
        ds.SetString(Tag.PatientSex, VR.CS, "O");
        ds.SetString(Tag.BodyPartExamined, VR.CS, im.Modality == "CT" ? "ABDOMEN" : "CHEST");
        ds.SetString(Tag.StudyInstanceUID, VR.UI, study);
        ds.SetString(Tag.SeriesInstanceUID, VR.UI, TestUids.New());
        ds.SetString(Tag.StudyID, VR.SH, "1");
        ds.SetString(Tag.SeriesNumber, VR.IS, "3");
        ds.SetString(Tag.InstanceNumber, VR.IS, "1");
        if (im.ViewPosition is { } vp)
        {
            ds.SetString(Tag.ViewPosition, VR.CS, vp);
        }
        if (im.PatientOrientation is { } po)
        {
            ds.SetString(Tag.PatientOrientation, VR.CS, po);
        }
        if (im.PixelSpacing is { } ps)
        {
            ds.SetString(Tag.PixelSpacing, VR.DS, $"{ps.ToString(CultureInfo.InvariantCulture)}\\{ps.ToString(CultureInfo.InvariantCulture)}");
        }
        if (im.ImagerPixelSpacing is { } ips)
        {
            ds.SetString(Tag.ImagerPixelSpacing, VR.DS, $"{ips.ToString(CultureInfo.InvariantCulture)}\\{ips.ToString(CultureInfo.InvariantCulture)}");
        }
        if (im.Modality == "CT")
        {
            ds.SetString(Tag.RescaleIntercept, VR.DS, im.Intercept.ToString(CultureInfo.InvariantCulture));
            ds.SetString(Tag.RescaleSlope, VR.DS, "1");
            ds.SetString(Tag.RescaleType, VR.LO, "HU");
        }
        if (im.Windows is { } w)
        {
            ds.SetString(Tag.WindowCenter, VR.DS, w.Centers);
            ds.SetString(Tag.WindowWidth, VR.DS, w.Widths);
            ds.SetString(Tag.WindowCenterWidthExplanation, VR.LO, w.Explanations);
        }
        ds.SetString(Tag.PhotometricInterpretation, VR.CS, im.Photometric);
        ds.SetUInt16(Tag.SamplesPerPixel, 1);
        ds.SetUInt16(Tag.Rows, (ushort)im.Rows);
        ds.SetUInt16(Tag.Columns, (ushort)im.Columns);
        ds.SetUInt16(Tag.BitsAllocated, 16);
        ds.SetUInt16(Tag.BitsStored, (ushort)im.Bits);
        ds.SetUInt16(Tag.HighBit, (ushort)(im.Bits - 1));
        ds.SetUInt16(Tag.PixelRepresentation, (ushort)(im.Signed ? 1 : 0));
        ds.SetBytes(Tag.PixelData, VR.OW, Pixels(im));
        var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
        file.BuildFileMetaInformation("RDXTOOLS");
        var path = Path.Combine(directory, sop + ".dcm");
        file.Save(path);
        return (path, study, sop);
    }

    /// <summary>A smooth gradient with a bright disc and a dark band, so every window shows structure.</summary>
    private static byte[] Pixels(Image im)
    {
        var bytes = new byte[im.Rows * im.Columns * 2];
        var max = (1 << (im.Signed ? im.Bits - 1 : im.Bits)) - 1;
        for (var y = 0; y < im.Rows; y++)
        {
            for (var x = 0; x < im.Columns; x++)
            {
                double nx = (double)x / im.Columns, ny = (double)y / im.Rows;
                var v = 0.15 + 0.6 * nx * (1 - 0.3 * ny);
                if ((nx - 0.5) * (nx - 0.5) + (ny - 0.4) * (ny - 0.4) < 0.03)
                {
                    v = 0.9;
                }
                if (ny > 0.7 && ny < 0.75)
                {
                    v = 0.05;
                }
                var value = (int)(v * max);
                if (im.Signed)
                {
                    value -= max / 2;
                }
                bytes[(y * im.Columns + x) * 2] = (byte)value;
                bytes[(y * im.Columns + x) * 2 + 1] = (byte)(value >> 8);
            }
        }
        return bytes;
    }

    private async Task Send(string storescu, string callingAet, params string[] files) =>
        await ChildProcess.RunAsync(storescu,
            ["-aet", callingAet, "-aec", "REMOTEDX", "127.0.0.1", Server.DicomPort.ToString(CultureInfo.InvariantCulture), .. files],
            timeout: TimeSpan.FromSeconds(60));

    private async Task WaitUntilListedAsync(string[] studies)
    {
        using var api = await ApiClient.SignInAsync(BaseUrl, Radiologist);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var list = await api.GetJsonAsync("api/worklist?pageSize=50");
            var listed = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()).ToHashSet();
            if (studies.All(listed.Contains))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"studies not listed within 2 min:\n{Server.Output}");
            }
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _root.Dispose();
    }
}
