using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Imaging;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Api;

/// <summary>GET /api/instances/{sop}/frames/{n}/values?size=512|1024|2048|full: one frame's values for windowing in the
/// browser (docs/api.md "Frame values"). The body is "RDXV", a little-endian uint32 length, that many bytes of UTF-8
/// JSON (dimensions, rescale, photometric, the file's windows, calibration and orientation), zero padding to an even
/// offset, then the samples: 16-bit grey values as prediction residuals in two byte planes (<see cref="MedPlanes"/>),
/// or 8-bit RGB triples for colour images. Compressed on the wire with Brotli (quality 1: fast, and the residuals leave
/// little for a slower level) or gzip, as the browser's Accept-Encoding allows.</summary>
internal static class FrameValuesEndpoint
{
    private const string Version = "v1";
    private static readonly int[] Steps = [512, 1024, 2048];

    public static void Map(RouteGroupBuilder api) => api.MapGet("/instances/{sop}/frames/{n}/values", ValuesAsync);

    private static async Task<IResult> ValuesAsync(HttpContext ctx, string sop, string n, ITriageStore store)
    {
        if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var frame) || frame < 1)
        {
            return ApiJson.Error(400, "frame number must be 1 or more");
        }
        var sizeText = WorklistEndpoints.Text(ctx.Request.Query, "size") ?? "full";
        int? size = null;
        if (sizeText != "full")
        {
            if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || !Steps.Contains(s))
            {
                return ApiJson.Error(400, "size must be 512, 1024, 2048 or full");
            }
            size = s;
        }
        var (at, missing) = await ImageEndpoints.FrameOfAsync(ctx, store, sop, frame).ConfigureAwait(false);
        if (at is null)
        {
            return missing!;
        }
        var encoding = Negotiate(ctx.Request.Headers.AcceptEncoding.ToString());
        ctx.Response.Headers.Vary = "Accept-Encoding";
        var key = string.Join('|', Version, at.SopInstanceUid, at.Version.ToString(CultureInfo.InvariantCulture), frame.ToString(CultureInfo.InvariantCulture),
            sizeText, encoding);
        if (ImageEndpoints.NotModified(ctx, key))
        {
            return Results.StatusCode(304);
        }
        var (body, failed) = await ImageEndpoints.FromArchivedFileAsync(ctx, "cannot read this frame's values", () =>
        {
            var file = DicomReader.ReadFile(at.Path, new DicomReadOptions { LazyPixelData = true });
            return Compress(Encode(file.Dataset, ModalityValues.Read(file, frame - 1, size)), encoding);
        }).ConfigureAwait(false);
        if (body is null)
        {
            return failed!;
        }
        if (encoding != "identity")
        {
            ctx.Response.Headers.ContentEncoding = encoding;
        }
        return Results.Bytes(body, "application/octet-stream");
    }

    private static string Negotiate(string accept)
    {
        var offered = accept.Split(',').Select(a => a.Split(';')[0].Trim().ToLowerInvariant()).ToHashSet();
        return offered.Contains("br") ? "br" : offered.Contains("gzip") ? "gzip" : "identity";
    }

    private static byte[] Compress(byte[] raw, string encoding)
    {
        if (encoding == "identity")
        {
            return raw;
        }
        using var ms = new MemoryStream(raw.Length / 2);
        using (Stream z = encoding == "br" ? new BrotliStream(ms, CompressionLevel.Fastest) : new GZipStream(ms, CompressionLevel.Fastest))
        {
            z.Write(raw);
        }
        return ms.ToArray();
    }

    internal static byte[] Encode(Dataset ds, ModalityFrame v)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new
        {
            width = v.Width,
            height = v.Height,
            columns = v.Columns,
            rows = v.Rows,
            original = v.IsOriginal,
            samples = v.IsColor ? "rgb8" : "grey16",
            predictor = v.IsColor ? "none" : "med-planes",
            signed = v.IsSigned,
            bitsStored = v.BitsStored,
            slope = v.Slope,
            intercept = v.Intercept,
            photometric = v.Photometric,
            min = v.Min,
            max = v.Max,
            voiFunction = v.VoiFunction,
            windows = v.Windows.Select(w => new { center = w.Center, width = w.Width, explanation = w.Explanation }),
            // The file's first window, else LINEAR_EXACT over the values' range: what the server renders by default.
            defaultWindow = new { center = v.DefaultWindow.Center, width = v.DefaultWindow.Width, function = v.Windows.Count > 0 ? v.VoiFunction : "LINEAR_EXACT" },
            modality = ds.GetString(Tag.Modality),
            pixelSpacing = Pair(ds, Tag.PixelSpacing),
            imagerPixelSpacing = Pair(ds, Tag.ImagerPixelSpacing),
            patientOrientation = ds.GetStrings(Tag.PatientOrientation) is { Length: 2 } po ? po : null,
            viewPosition = ds.GetString(Tag.ViewPosition),
        });
        var offset = 8 + header.Length;
        offset += offset & 1;
        var body = new byte[offset + v.Values.Length];
        "RDXV"u8.CopyTo(body);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)header.Length);
        header.CopyTo(body, 8);
        if (v.IsColor)
        {
            v.Values.CopyTo(body, offset);
        }
        else
        {
            MedPlanes(MemoryMarshal.Cast<byte, ushort>(v.Values.AsSpan()), v.Width, v.Height, v.IsSigned, body.AsSpan(offset));
        }
        return body;
    }

    /// <summary>The "med-planes" layout: each sample minus the median edge detector's prediction (LOCO-I, as in JPEG-LS,
    /// ISO 14495-1 A.4.1; left on the first row, above in the first column), mod 2^16, the low bytes of all residuals
    /// then the high bytes. Smooth films and noise of a few bits become small residuals whose high bytes are nearly all
    /// 0 or 255, which Brotli/gzip pack far better than the raw samples.</summary>
    internal static void MedPlanes(ReadOnlySpan<ushort> samples, int width, int height, bool signed, Span<byte> output)
    {
        var n = width * height;
        var lo = output[..n];
        var hi = output.Slice(n, n);
        int At(ReadOnlySpan<ushort> s, int i) => signed ? (short)s[i] : s[i];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                int prediction;
                if (y == 0)
                {
                    prediction = x == 0 ? 0 : At(samples, i - 1);
                }
                else if (x == 0)
                {
                    prediction = At(samples, i - width);
                }
                else
                {
                    int a = At(samples, i - 1), b = At(samples, i - width), c = At(samples, i - width - 1);
                    prediction = c >= Math.Max(a, b) ? Math.Min(a, b) : c <= Math.Min(a, b) ? Math.Max(a, b) : a + b - c;
                }
                var r = (ushort)(At(samples, i) - prediction);
                lo[i] = (byte)r;
                hi[i] = (byte)(r >> 8);
            }
        }
    }

    private static double[]? Pair(Dataset ds, Tag tag) =>
        ds.GetDoubles(tag) is { Length: 2 } d && d.All(x => double.IsFinite(x) && x > 0) ? d : null;
}
