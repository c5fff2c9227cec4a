namespace RemoteDx.Dicom.Codecs;

/// <summary>Whether the codec for one transfer syntax works on this machine.</summary>
public sealed record CodecStatus(TransferSyntax Syntax, string Codec, bool Available, string? Error);

/// <summary>Finds the pixel codec for an encapsulated transfer syntax (PS3.5 A.4) and reports which ones work here.
/// Self-test results are computed once and cached; a missing native library makes its syntaxes unavailable with a
/// message naming the Debian package, never a crash.</summary>
public static class CodecRegistry
{
    private static readonly IPixelCodec[] Codecs = [new RleLosslessCodec(), new JpegCodec(), new JpegLsCodec(), new Jpeg2000Codec()];

    private static readonly Dictionary<string, IPixelCodec> ByUid =
        Codecs.SelectMany(c => c.TransferSyntaxes.Select(ts => (ts.Uid, Codec: c))).ToDictionary(p => p.Uid, p => p.Codec, StringComparer.Ordinal);

    /// <summary>What each codec needs besides managed code, for the unavailability message.</summary>
    private static readonly Dictionary<Type, string> Requirements = new()
    {
        [typeof(JpegLsCodec)] = "JPEG-LS needs libcharls.so.2 (Debian package libcharls2)",
        [typeof(Jpeg2000Codec)] = "JPEG 2000 needs libopenjp2.so.7 (Debian package libopenjp2-7)",
    };

    private static readonly Lazy<IReadOnlyList<CodecStatus>> Statuses = new(RunSelfTests, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<IReadOnlySet<string>> Decodable = new(() =>
    {
        // PS3.5 A.1-A.3 and A.5: native (uncompressed) encodings need no codec.
        var uids = new HashSet<string>(StringComparer.Ordinal)
        {
            TransferSyntax.ImplicitVRLittleEndian.Uid,
            TransferSyntax.ExplicitVRLittleEndian.Uid,
            TransferSyntax.ExplicitVRBigEndian.Uid,
            TransferSyntax.DeflatedExplicitVRLittleEndian.Uid,
        };
        foreach (var status in Statuses.Value.Where(s => s.Available))
        {
            uids.Add(status.Syntax.Uid);
        }
        return uids;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The codec registered for <paramref name="ts"/>, or null for native and unknown syntaxes. The codec
    /// may still be unusable here; see <see cref="SelfTest"/>.</summary>
    public static IPixelCodec? ForTransferSyntax(TransferSyntax ts)
    {
        ArgumentNullException.ThrowIfNull(ts);
        return ByUid.GetValueOrDefault(ts.Uid);
    }

    /// <summary>One status per encapsulated transfer syntax with a codec, from each codec's self-test (cached).</summary>
    public static IReadOnlyList<CodecStatus> SelfTest() => Statuses.Value;

    /// <summary>Transfer syntax UIDs whose pixel data can be decoded here: the native ones always, the encapsulated
    /// ones whose codec passed its self-test.</summary>
    public static IReadOnlySet<string> DecodableTransferSyntaxUids => Decodable.Value;

    private static IReadOnlyList<CodecStatus> RunSelfTests()
    {
        var result = new List<CodecStatus>();
        foreach (var codec in Codecs)
        {
            string? error = null;
            try
            {
                codec.SelfTest();
            }
            catch (Exception ex) when (ex is DicomException or DllNotFoundException or EntryPointNotFoundException
                or BadImageFormatException or TypeLoadException or InvalidOperationException or ArgumentException)
            {
                error = Describe(codec, ex);
            }
            foreach (var ts in codec.TransferSyntaxes)
            {
                result.Add(new CodecStatus(ts, codec.Name, error is null, error));
            }
        }
        return result;
    }

    private static string Describe(IPixelCodec codec, Exception ex)
    {
        var missing = ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
            || ex.InnerException is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException;
        if (missing && Requirements.TryGetValue(codec.GetType(), out var need))
        {
            var inner = ex.InnerException is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException ? ex.InnerException : ex;
            return $"{need}: {inner.Message}";
        }
        return $"{codec.Name} self-test failed: {ex.Message}";
    }
}
