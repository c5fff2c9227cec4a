using RemoteDx.Dicom;
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
                    var dir = Path.Combine(Path.GetTempPath(), "remotedx-codecs-" + Guid.NewGuid().ToString("N"));
                    System.IO.Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, "gen.py"), CodecTestTools.GenerateScript);
                    File.WriteAllText(Path.Combine(dir, "extract.py"), CodecTestTools.ExtractScript);
                    File.WriteAllText(Path.Combine(dir, "wrap.py"), CodecTestTools.WrapRleScript);
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
