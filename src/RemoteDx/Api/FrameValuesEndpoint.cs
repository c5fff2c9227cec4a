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
/// offset, then the samples: 16-bit little-endian grey values, each row as differences from its previous sample
/// (wrapping, so the bytes compress well), or 8-bit RGB triples for colour images. Compressed on the wire with Brotli
/// or gzip (the Accept-Encoding the browser sends).</summary>
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
        var at = await store.InstanceAsync(sop, Sessions.ScopeOf(Sessions.Current(ctx)), ctx.RequestAborted).ConfigureAwait(false);
        if (at is null)
        {
            return ApiJson.Error(404, "no such instance");
        }
        if (frame > Math.Max(1, at.Frames))
        {
            return ApiJson.Error(404, $"the instance has {Math.Max(1, at.Frames)} frames");
        }
        var encoding = Negotiate(ctx.Request.Headers.AcceptEncoding.ToString());
        ctx.Response.Headers.Vary = "Accept-Encoding";
        var key = string.Join('|', Version, at.SopInstanceUid, at.Version.ToString(CultureInfo.InvariantCulture), frame.ToString(CultureInfo.InvariantCulture),
            sizeText, encoding);
        if (ImageEndpoints.NotModified(ctx, key))
        {
            return Results.StatusCode(304);
        }
        byte[] body;
        try
        {
            body = await Task.Run(() =>
            {
                var file = DicomReader.ReadFile(at.Path, new DicomReadOptions { LazyPixelData = true });
                return Compress(Encode(file.Dataset, ModalityValues.Read(file, frame - 1, size)), encoding);
            }, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ctx.Response.Headers.Remove("ETag");
            return ApiJson.Error(404, "the archived file is missing");
        }
        catch (Exception ex) when (ex is DicomException or NotSupportedException or InvalidDataException or ArgumentException)
        {
            ctx.Response.Headers.Remove("ETag");
            return ApiJson.Error(422, "cannot read this frame's values: " + ex.Message);
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
            predictor = v.IsColor ? "none" : "row-delta",
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
        v.Values.CopyTo(body, offset);
        if (!v.IsColor)
        {
            // Row-wise differences (mod 2^16): smooth films turn into small numbers that Brotli/gzip pack tightly.
            var samples = MemoryMarshal.Cast<byte, ushort>(body.AsSpan(offset));
            for (var y = 0; y < v.Height; y++)
            {
                var row = samples.Slice(y * v.Width, v.Width);
                for (var x = row.Length - 1; x > 0; x--)
                {
                    row[x] = (ushort)(row[x] - row[x - 1]);
                }
            }
        }
        return body;
    }

    private static double[]? Pair(Dataset ds, Tag tag) =>
        ds.GetDoubles(tag) is { Length: 2 } d && d.All(x => double.IsFinite(x) && x > 0) ? d : null;
}
