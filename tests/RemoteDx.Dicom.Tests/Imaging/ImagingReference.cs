using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Imaging;
using RemoteDx.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RemoteDx.Dicom.Tests.Imaging;

/// <summary>Second-implementation references for rendering: pydicom 2.3 (apply_modality_lut, apply_voi_lut,
/// apply_color_lut, convert_color_space) computes the expected 8-bit image, and pydicom writes the derived test files
/// (MONOCHROME1, VOI LUT Sequence, Modality LUT Sequence, SIGMOID, palettes, YBR_FULL, 16-bit RGB, 32-bit grey).</summary>
public static class ImagingReference
{
    private static readonly Lazy<string> DerivedDir = new(() =>
    {
        var dir = TempDirectory.ForTestRun();
        Tool.PythonOk(MakeFilesScript, dir);
        return dir;
    });

    /// <summary>A file pydicom wrote for these tests (see <see cref="MakeFilesScript"/>), created once per run.</summary>
    public static string Derived(string name) => Path.Combine(DerivedDir.Value, name);

    public static string PydicomFile(string name) => Path.Combine(Tool.PydicomTestFiles, name);

    /// <summary>pydicom's rendering of frame 0 as 8-bit grey or interleaved RGB.</summary>
    public static byte[] Expected(string path, double? center = null, double? width = null, int index = 0)
    {
        var dir = TempDirectory.ForTestRun();
        var output = Path.Combine(dir, "expected.bin");
        Tool.PythonOk(ReferenceScript, path, output,
            center?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            width?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return File.ReadAllBytes(output);
    }

    public static RenderedImage Render(string path, RenderOptions? options = null) =>
        ImageRenderer.Render(DicomReader.ReadFile(path), options ?? new RenderOptions());

    /// <summary>The samples of a PNG or JPEG as 8-bit grey (1 channel) or interleaved RGB (3).</summary>
    public static byte[] ReadPng(string path, int channels)
    {
        if (channels == 1)
        {
            using var grey = Image.Load<L8>(path);
            var g = new byte[grey.Width * grey.Height];
            grey.CopyPixelDataTo(g);
            return g;
        }
        using var rgb = Image.Load<Rgb24>(path);
        var bytes = new byte[rgb.Width * rgb.Height * 3];
        rgb.CopyPixelDataTo(bytes);
        return bytes;
    }

    /// <summary>Equal within <paramref name="tolerance"/> per sample (rounding at .5 differs between
    /// implementations); the message names the first sample that is off.</summary>
    public static void AssertClose(byte[] expected, byte[] actual, int tolerance = 1)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0;
        var first = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs(expected[i] - actual[i]);
            if (d > tolerance && first < 0)
            {
                first = i;
            }
            worst = Math.Max(worst, d);
        }
        Assert.True(first < 0, first < 0 ? "" : $"sample {first}: expected {expected[first]}, got {actual[first]} (largest difference {worst})");
    }

    private const string ReferenceScript = """
import sys, numpy as np, pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut, apply_color_lut, convert_color_space
path, out, wc, ww, index = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ds = pydicom.dcmread(path)
arr = ds.pixel_array
pi = ds.PhotometricInterpretation
def to8(v):
    return np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)
if pi in ('MONOCHROME1', 'MONOCHROME2'):
    m = apply_modality_lut(arr, ds)
    if wc != '-':
        ds.WindowCenter = float(wc); ds.WindowWidth = float(ww); index = 0
    windowed = 'WindowCenter' in ds and 'WindowWidth' in ds
    if windowed:
        # pydicom maps the window onto the range of the modality output type; scale that range to 0..255.
        if ds.get('ModalityLUTSequence'):
            lo, hi = 0, 2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
        elif ds.PixelRepresentation == 0:
            lo, hi = 0, 2 ** ds.BitsStored - 1
        else:
            lo, hi = -2 ** (ds.BitsStored - 1), 2 ** (ds.BitsStored - 1) - 1
        if 'RescaleSlope' in ds and 'RescaleIntercept' in ds:
            lo, hi = lo * ds.RescaleSlope + ds.RescaleIntercept, hi * ds.RescaleSlope + ds.RescaleIntercept
        v = apply_voi_lut(m, ds, index=index, prefer_lut=False)
        y = (v - lo) / (hi - lo) * 255
    elif ds.get('VOILUTSequence'):
        v = apply_voi_lut(m, ds, index=index)
        y = v.astype(np.float64) / (2 ** ds.VOILUTSequence[index].LUTDescriptor[2] - 1) * 255
    else:
        m = m.astype(np.float64)
        y = (m - m.min()) / max(m.max() - m.min(), 1) * 255
    y = to8(y)
    if pi == 'MONOCHROME1':
        y = 255 - y
elif pi == 'PALETTE COLOR':
    rgb = apply_color_lut(arr, ds)
    if rgb.dtype == np.uint16 and rgb.max() > 255:
        rgb = rgb >> 8
    y = rgb.astype(np.uint8)
elif pi in ('YBR_FULL', 'YBR_FULL_422'):
    y = convert_color_space(arr, pi, 'RGB').astype(np.uint8)
elif pi == 'RGB':
    y = to8(arr.astype(np.float64) * 255 / (2 ** ds.BitsStored - 1))
else:
    raise SystemExit('unsupported ' + pi)
np.ascontiguousarray(y).tofile(out)
""";

    private const string MakeFilesScript = """
import sys, os, copy, numpy as np, pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian
from pydicom.pixel_data_handlers.util import convert_color_space
from pydicom.data import get_testdata_file, get_palette_files
out = sys.argv[1]
tf = os.path.dirname(get_testdata_file('CT_small.dcm'))
def load(name): return pydicom.dcmread(os.path.join(tf, name))
def save(ds, name):
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.is_little_endian = True; ds.is_implicit_VR = False
    ds.save_as(os.path.join(out, name), write_like_original=False)

ds = load('MR_small.dcm'); ds.PhotometricInterpretation = 'MONOCHROME1'; save(ds, 'mono1.dcm')

ds = load('MR_small.dcm'); del ds.WindowCenter; del ds.WindowWidth
item = Dataset()
item.add_new(0x00283002, 'US', [2048, 100, 12])
x = np.arange(2048)
item.add_new(0x00283006, 'US', [int(v) for v in np.round(4095 * (x / 2047.0) ** 0.5)])
ds.VOILUTSequence = Sequence([item]); save(ds, 'voilut.dcm')

ds = load('MR_small.dcm'); ds.PixelRepresentation = 0
item = Dataset()
item.add_new(0x00283002, 'US', [3000, 0, 16])
item.add_new(0x00283004, 'LO', 'US')
item.add_new(0x00283006, 'OW', (np.round(65535 * (1 - np.arange(3000) / 2999.0) ** 2)).astype('<u2').tobytes())
ds.ModalityLUTSequence = Sequence([item]); ds.WindowCenter = 20000; ds.WindowWidth = 30000; save(ds, 'modlut.dcm')

for fn, name in [('SIGMOID', 'sigmoid.dcm'), ('LINEAR_EXACT', 'linexact.dcm')]:
    ds = load('CT_small.dcm'); ds.WindowCenter = 40; ds.WindowWidth = 400; ds.VOILUTFunction = fn; save(ds, name)
ds = load('CT_small.dcm'); ds.WindowCenter = [40, 300]; ds.WindowWidth = [400, 1500]; save(ds, 'multiwin.dcm')

def image(ds, rows, cols, arr, pi, spp, bits, pr=0):
    ds.Rows = rows; ds.Columns = cols; ds.SamplesPerPixel = spp; ds.PhotometricInterpretation = pi
    ds.BitsAllocated = bits; ds.BitsStored = bits; ds.HighBit = bits - 1; ds.PixelRepresentation = pr
    if spp > 1: ds.PlanarConfiguration = 0
    ds.PixelData = arr.tobytes()

def base():
    ds = load('SC_rgb_small_odd.dcm')
    for k in ['PlanarConfiguration']:
        if k in ds: delattr(ds, k)
    return ds

hot = pydicom.dcmread(get_palette_files('hotiron.dcm')[0])
ds = base(); image(ds, 64, 64, (np.arange(64 * 64) % 256).astype(np.uint8).reshape(64, 64), 'PALETTE COLOR', 1, 8)
for c in ['Red', 'Green', 'Blue']:
    ds.add_new(hot[c + 'PaletteColorLookupTableDescriptor'].tag, 'US', list(getattr(hot, c + 'PaletteColorLookupTableDescriptor')))
    ds[f'{c}PaletteColorLookupTableData'] = copy.deepcopy(hot[f'{c}PaletteColorLookupTableData'])
save(ds, 'palette8.dcm')

ds = base(); image(ds, 64, 64, ((np.arange(64 * 64) * 7) % 4096).astype('<u2').reshape(64, 64), 'PALETTE COLOR', 1, 16)
ds.BitsStored = 12; ds.HighBit = 11
n = 4000
for i, c in enumerate(['Red', 'Green', 'Blue']):
    ds.add_new(0x00281101 + i, 'US', [n, 50, 16])
    ds.add_new(0x00281201 + i, 'OW', ((np.arange(n) * (17 + 5 * i)) % 65536).astype('<u2').tobytes())
save(ds, 'palette16.dcm')

ds = base(); image(ds, 16, 16, np.arange(256).astype(np.uint8).reshape(16, 16), 'PALETTE COLOR', 1, 8)
segs = {0: [0, 3, 0, 1000, 2000, 1, 100, 60000, 1, 153, 0],
        1: [0, 1, 65535, 1, 255, 0],
        2: [0, 2, 5, 5, 1, 254, 40000]}
for i in range(3):
    ds.add_new(0x00281101 + i, 'US', [256, 0, 16])
    ds.add_new(0x00281221 + i, 'OW', np.array(segs[i], dtype='<u2').tobytes())
save(ds, 'segmented.dcm')

ds = load('SC_rgb_rle_16bit.dcm'); ds.decompress(); save(ds, 'rgb16.dcm')
ds = load('SC_rgb_rle.dcm'); ds.decompress()
ybr = convert_color_space(ds.pixel_array, 'RGB', 'YBR_FULL')
ds.PixelData = ybr.tobytes(); ds.PhotometricInterpretation = 'YBR_FULL'; save(ds, 'ybr_full.dcm')

ds = base(); rng = np.random.default_rng(7)
image(ds, 32, 48, rng.integers(-100000, 5000000, size=(32, 48)).astype('<i4'), 'MONOCHROME2', 1, 32, 1)
ds.RescaleSlope = 0.5; ds.RescaleIntercept = -7; save(ds, 'big32.dcm')
""";
}
