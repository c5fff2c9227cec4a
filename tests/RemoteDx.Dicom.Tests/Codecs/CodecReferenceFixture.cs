using RemoteDx.Dicom;
using RemoteDx.Testing;
using Xunit;

namespace RemoteDx.Dicom.Tests.Codecs;

/// <summary>One compressed frame with what a second implementation says it decodes to.</summary>
public sealed record CodecCase(string Name, byte[] Frame, PixelFormat Format, TransferSyntax Syntax, string CompressedPath, string SourcePath);

/// <summary>Builds the reference material once per test run in a temporary folder: synthetic images from pydicom,
/// compressed by DCMTK or GDCM, with frames extracted by pydicom.</summary>
public sealed class CodecReferenceFixture : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CodecCase> _cases = [];
    private string? _dir;

    public string Directory
    {
        get
        {
            lock (_gate)
            {
                if (_dir is null)
                {
                    CodecTestTools.RequirePydicom();
                    var dir = TempDirectory.ForTestRun("codecs");
                    File.WriteAllText(Path.Combine(dir, "gen.py"), CodecTestTools.GenerateScript);
                    File.WriteAllText(Path.Combine(dir, "extract.py"), CodecTestTools.ExtractScript);
                    File.WriteAllText(Path.Combine(dir, "wrap.py"), CodecTestTools.WrapRleScript);
                    File.WriteAllText(Path.Combine(dir, "wrapjpeg.py"), CodecTestTools.WrapJpegScript);
                    CodecTestTools.RunChecked(CodecTestTools.Python, Path.Combine(dir, "gen.py"), dir);
                    _dir = dir;
                }
                return _dir;
            }
        }
    }

    /// <summary>The uncompressed pixels of a synthetic source image, in Decode's layout.</summary>
    public byte[] Original(string source) => File.ReadAllBytes(Path.Combine(Directory, source + ".raw"));

    /// <summary>Compresses <paramref name="source"/> with <paramref name="tool"/> (DCMTK: IN OUT after the options;
    /// gdcmconv: the same) and extracts frame 1.</summary>
    public CodecCase Compress(string source, string tool, params string[] options)
    {
        var key = source + "." + tool + string.Concat(options.Select(o => "_" + o.Trim('+', '-').Replace(' ', '_')));
        lock (_gate)
        {
            if (_cases.TryGetValue(key, out var cached))
            {
                return cached;
            }
            var dir = Directory;
            var src = Path.Combine(dir, source + ".dcm");
            var compressed = Path.Combine(dir, key + ".dcm");
            CodecTestTools.RequireTool(tool);
            CodecTestTools.RunChecked(tool, [.. options, src, compressed]);
            var framePath = Path.Combine(dir, key + ".frame");
            CodecTestTools.RunChecked(CodecTestTools.Python, Path.Combine(dir, "extract.py"), "frame", compressed, framePath);
            var (format, uid) = CodecTestTools.ReadFormat(framePath + ".json");
            var result = new CodecCase(key, File.ReadAllBytes(framePath), format, TransferSyntax.Lookup(uid), compressed, src);
            _cases[key] = result;
            return result;
        }
    }

    /// <summary>Compresses the 8-bit <paramref name="source"/> with libjpeg-turbo's cjpeg (from a PGM/PPM; "SCANS" in
    /// <paramref name="options"/> names a scan script coding Y alone, then Cb and Cr interleaved) and wraps the stream
    /// into a JPEG Baseline DICOM file with pydicom, so dcmdjpeg can decode it too.</summary>
    public CodecCase CompressWithCjpeg(string source, params string[] options)
    {
        var key = source + ".cjpeg" + string.Concat(options.Select(o => "_" + o.Trim('-').Replace(',', '_')));
        lock (_gate)
        {
            if (_cases.TryGetValue(key, out var cached))
            {
                return cached;
            }
            var dir = Directory;
            var src = Path.Combine(dir, source + ".dcm");
            var info = Path.Combine(dir, source + ".info");
            CodecTestTools.RunChecked(CodecTestTools.Python, Path.Combine(dir, "extract.py"), "info", src, info);
            var (format, _) = CodecTestTools.ReadFormat(info + ".json");
            var color = format.SamplesPerPixel == 3;
            var pnm = Path.Combine(dir, source + (color ? ".ppm" : ".pgm"));
            using (var stream = File.Create(pnm))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes($"{(color ? "P6" : "P5")}\n{format.Columns} {format.Rows}\n255\n"));
                stream.Write(Original(source));
            }
            var scans = Path.Combine(dir, "scans.txt");
            File.WriteAllText(scans, "0;\n1 2;\n");
            var jpeg = Path.Combine(dir, key + ".jpg");
            CodecTestTools.RequireTool("cjpeg");
            CodecTestTools.RunChecked("cjpeg", [.. options.Select(o => o == "SCANS" ? scans : o), "-outfile", jpeg, pnm]);
            var photometric = !color ? "MONOCHROME2" : options.Contains("-rgb") ? "RGB" : "YBR_FULL";
            var compressed = Path.Combine(dir, key + ".dcm");
            CodecTestTools.RunChecked(CodecTestTools.Python, Path.Combine(dir, "wrapjpeg.py"), src, jpeg, compressed, photometric);
            var frame = File.ReadAllBytes(jpeg);
            var result = new CodecCase(key, frame, format with { PhotometricInterpretation = photometric }, TransferSyntax.JPEGBaseline8Bit, compressed, src);
            _cases[key] = result;
            return result;
        }
    }

    /// <summary>djpeg -dct int's decompression of a grayscale cjpeg case (PGM samples).</summary>
    public byte[] DjpegGray(CodecCase c)
    {
        var jpeg = Path.ChangeExtension(c.CompressedPath, ".jpg");
        var pgm = jpeg + ".djpeg.pgm";
        CodecTestTools.RequireTool("djpeg");
        CodecTestTools.RunChecked("djpeg", "-dct", "int", "-pnm", "-outfile", pgm, jpeg);
        var bytes = File.ReadAllBytes(pgm);
        // P5 header: magic, width, height, maxval, each followed by one whitespace byte.
        var pos = 0;
        for (var fields = 0; fields < 4; pos++)
        {
            if (char.IsWhiteSpace((char)bytes[pos]) && pos > 0 && !char.IsWhiteSpace((char)bytes[pos - 1]))
            {
                fields++;
            }
        }
        return bytes[pos..];
    }

    /// <summary>Decompresses <paramref name="compressed"/> with another implementation (DCMTK's dcmdjpeg, dcmdjpls,
    /// dcmdrle or gdcmconv --raw) and returns pydicom's pixel_array bytes of the result.</summary>
    public byte[] DecompressWith(string compressedPath, string tool, params string[] options)
    {
        lock (_gate)
        {
            var dir = Directory;
            var output = Path.Combine(dir, Path.GetFileNameWithoutExtension(compressedPath) + "." + tool + ".dcm");
            CodecTestTools.RequireTool(tool);
            CodecTestTools.RunChecked(tool, [.. options, compressedPath, output]);
            return PixelsOf(output);
        }
    }

    /// <summary>pydicom's pixel_array of an uncompressed file, as little endian interleaved bytes.</summary>
    public byte[] PixelsOf(string dicomPath)
    {
        var raw = dicomPath + ".pixels";
        CodecTestTools.RunChecked(CodecTestTools.Python, Path.Combine(Directory, "extract.py"), "pixels", dicomPath, raw);
        return File.ReadAllBytes(raw);
    }

    public void Dispose()
    {
        if (_dir is not null && System.IO.Directory.Exists(_dir))
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CodecCollection : ICollectionFixture<CodecReferenceFixture>
{
    public const string Name = "Codecs";
}
