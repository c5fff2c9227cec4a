using RemoteDx.Testing;
using System.Text.Json;
using RemoteDx.Dicom;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

/// <summary>Runs the second implementations the codec tests compare against: Debian's python3 with pydicom and numpy
/// (synthetic images, frame extraction, pixel reading), DCMTK and GDCM (compression and reference decompression).
/// A missing tool fails the test; it never skips.</summary>
internal static class CodecTestTools
{
    /// <summary>Debian's interpreter: the python3 first on PATH may lack pydicom and numpy.</summary>
    public const string Python = Tool.Python;

    public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

    /// <summary>One process runner for the whole test project: <see cref="Tool.Run(string, string[])"/> (120 s limit, a
    /// missing tool fails naming its Debian package).</summary>
    public static ProcessResult Run(string exe, IEnumerable<string> args)
    {
        var (code, stdout, stderr) = Tool.Run(exe, args.ToArray());
        return new ProcessResult(code, stdout, stderr);
    }

    /// <summary>Runs a tool and fails the test when it is missing (naming its package) or exits non-zero (naming the
    /// package of a Python module it could not import).</summary>
    public static string RunChecked(string exe, params string[] args) => Tool.RunOk(exe, args);

    /// <summary>Fails unless Debian's python3 can import pydicom and numpy.</summary>
    public static void RequirePydicom() => Tool.RequirePython("pydicom", "numpy");

    /// <summary>Fails unless <paramref name="tool"/> is an executable on PATH.</summary>
    public static string RequireTool(string tool) => Tool.Require(tool);

    /// <summary>Reads the pixel format pydicom reported for an extracted frame.</summary>
    public static (PixelFormat Format, string TransferSyntaxUid) ReadFormat(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var r = doc.RootElement;
        int I(string n) => r.GetProperty(n).GetInt32();
        var format = new PixelFormat(I("Rows"), I("Columns"), I("SamplesPerPixel"), I("BitsAllocated"), I("BitsStored"),
            I("HighBit"), I("PixelRepresentation"), I("PlanarConfiguration"), r.GetProperty("PhotometricInterpretation").GetString()!, 1);
        return (format, r.GetProperty("TransferSyntaxUID").GetString()!);
    }

    /// <summary>Largest absolute difference between two decoded frames of the same layout.</summary>
    public static int MaxDifference(byte[] a, byte[] b, PixelFormat format)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0;
        var bps = format.BytesPerSample;
        for (var i = 0; i < a.Length; i += bps)
        {
            long va = 0, vb = 0;
            for (var k = bps - 1; k >= 0; k--)
            {
                va = (va << 8) | a[i + k];
                vb = (vb << 8) | b[i + k];
            }
            if (format.IsSigned)
            {
                va = CodecSignedValue(va, bps);
                vb = CodecSignedValue(vb, bps);
            }
            max = (int)Math.Max(max, Math.Abs(va - vb));
        }
        return max;
    }

    private static long CodecSignedValue(long v, int bytes)
    {
        var shift = 64 - 8 * bytes;
        return (v << shift) >> shift;
    }

    /// <summary>Generates the synthetic uncompressed images (PS3.5 A.2 explicit VR little endian) with pydicom. Each
    /// NAME.dcm comes with NAME.raw: pixel_array as Decode's contract lays it out (interleaved, little endian).</summary>
    public const string GenerateScript = """
        import sys, os
        import numpy as np
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.uid import ExplicitVRLittleEndian, generate_uid
        out = sys.argv[1]
        rows, cols = 37, 53   # odd sizes exercise partial JPEG blocks and odd-length RLE rows
        yy, xx = np.mgrid[0:rows, 0:cols]
        rng = np.random.default_rng(1234)
        def smooth(scale, off=0):
            return (np.sin(xx / 7.0 + off) * np.cos(yy / 5.0) * 0.5 + 0.5) * scale
        def save(name, arr, bits_stored, signed, photometric, planar=0):
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            meta.MediaStorageSOPInstanceUID = generate_uid()
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds = Dataset(); ds.file_meta = meta
            ds.SOPClassUID = meta.MediaStorageSOPClassUID; ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
            ds.StudyInstanceUID = generate_uid(); ds.SeriesInstanceUID = generate_uid()
            ds.PatientName = 'Codec^Test'; ds.PatientID = 'CODEC'; ds.Modality = 'OT'
            ds.Rows, ds.Columns = rows, cols
            spp = 3 if arr.ndim == 3 else 1
            ds.SamplesPerPixel = spp
            ds.PhotometricInterpretation = photometric
            if spp == 3: ds.PlanarConfiguration = planar
            ds.BitsAllocated = arr.dtype.itemsize * 8; ds.BitsStored = bits_stored; ds.HighBit = bits_stored - 1
            ds.PixelRepresentation = 1 if signed else 0
            data = arr
            if spp == 3 and planar == 1: data = np.ascontiguousarray(arr.transpose(2, 0, 1))
            ds.PixelData = data.astype(arr.dtype.newbyteorder('<')).tobytes()
            ds.is_little_endian = True; ds.is_implicit_VR = False
            ds.save_as(os.path.join(out, name + '.dcm'), write_like_original=False)
            open(os.path.join(out, name + '.raw'), 'wb').write(arr.astype(arr.dtype.newbyteorder('<')).tobytes())
        noise = rng.integers(0, 6, size=(rows, cols))
        save('gray8', (smooth(250) + noise).astype(np.uint8), 8, False, 'MONOCHROME2')
        save('gray12', (smooth(4000) + noise * 13).astype(np.uint16), 12, False, 'MONOCHROME2')
        save('gray16', (smooth(65000) + noise * 50).astype(np.uint16), 16, False, 'MONOCHROME2')
        save('signed16', (smooth(60000) - 30000 + noise).astype(np.int16), 16, True, 'MONOCHROME2')
        save('signed12', (smooth(4000) - 2000 + noise).astype(np.int16), 12, True, 'MONOCHROME2')
        rgb = np.stack([smooth(250), smooth(250, 1.0), smooth(250, 2.0)], axis=-1) + noise[..., None]
        save('rgb8', rgb.astype(np.uint8), 8, False, 'RGB')
        save('rgb8planar', rgb.astype(np.uint8), 8, False, 'RGB', planar=1)
        save('gray32', (smooth(3e9) + noise * 99999).astype(np.uint32), 32, False, 'MONOCHROME2')
        """;

    /// <summary>extract.py frame IN OUT: writes frame 1's encapsulated bytes (pydicom's own fragment parser) and
    /// OUT.json with the pixel module (extract.py info IN OUT: only the JSON); extract.py pixels IN OUT: writes pydicom's pixel_array bytes.</summary>
    public const string ExtractScript = """
        import sys, json
        import pydicom
        from pydicom.encaps import generate_pixel_data_frame
        mode, src, dst = sys.argv[1:4]
        ds = pydicom.dcmread(src)
        if mode in ('frame', 'info'):
            nf = int(getattr(ds, 'NumberOfFrames', 1) or 1)
            if mode == 'frame': open(dst, 'wb').write(next(generate_pixel_data_frame(ds.PixelData, nf)))
            info = dict(Rows=ds.Rows, Columns=ds.Columns, SamplesPerPixel=ds.SamplesPerPixel, BitsAllocated=ds.BitsAllocated,
                        BitsStored=ds.BitsStored, HighBit=ds.HighBit, PixelRepresentation=ds.PixelRepresentation,
                        PlanarConfiguration=int(getattr(ds, 'PlanarConfiguration', 0)),
                        PhotometricInterpretation=ds.PhotometricInterpretation,
                        TransferSyntaxUID=str(ds.file_meta.TransferSyntaxUID))
            open(dst + '.json', 'w').write(json.dumps(info))
        else:
            arr = ds.pixel_array
            open(dst, 'wb').write(arr.astype(arr.dtype.newbyteorder('<')).tobytes())
        """;

    /// <summary>wrap.py IN.dcm FRAME OUT.dcm: replaces IN's pixel data by one RLE frame (PS3.5 A.4, basic offset table
    /// empty) so DCMTK can decode what our encoder wrote.</summary>
    public const string WrapRleScript = """
        import sys
        import pydicom
        from pydicom.encaps import encapsulate
        from pydicom.uid import RLELossless
        src, frame, dst = sys.argv[1:4]
        ds = pydicom.dcmread(src)
        ds.PixelData = encapsulate([open(frame, 'rb').read()])
        ds['PixelData'].is_undefined_length = True
        ds['PixelData'].VR = 'OB'
        ds.file_meta.TransferSyntaxUID = RLELossless
        ds.save_as(dst, write_like_original=False)
        """;

    /// <summary>wrapjpeg.py IN.dcm STREAM.jpg OUT.dcm PHOTOMETRIC: replaces IN's pixel data by one JPEG Baseline frame
    /// (PS3.5 A.4.1) so DCMTK can decode a stream made by another encoder.</summary>
    public const string WrapJpegScript = """
        import sys
        import pydicom
        from pydicom.encaps import encapsulate
        from pydicom.uid import JPEGBaseline8Bit
        src, frame, dst, photometric = sys.argv[1:5]
        ds = pydicom.dcmread(src)
        ds.PixelData = encapsulate([open(frame, 'rb').read()])
        ds['PixelData'].is_undefined_length = True
        ds['PixelData'].VR = 'OB'
        ds.PhotometricInterpretation = photometric
        if ds.SamplesPerPixel == 3: ds.PlanarConfiguration = 0
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
        ds.save_as(dst, write_like_original=False)
        """;
}
