using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Imaging;
using RemoteDx.Dicom.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RemoteDx.Api;

/// <summary>GET /api/instances/{sop}/frames/{n}, /thumbnail, /heatmap: rendered from the archived file, cached by the
/// browser with strong ETags (an ETag names the instance version and every rendering parameter).</summary>
internal static class ImageEndpoints
{
    private const string RenderVersion = "r1";
    private const string CacheControl = "private, max-age=86400";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/instances/{sop}/frames/{n}", FrameAsync);
        api.MapGet("/instances/{sop}/thumbnail", async (HttpContext ctx, string sop, ITriageStore store) =>
            await RenderAsync(ctx, store, sop, 1, "jpeg", null, null, 160, 85).ConfigureAwait(false));
        api.MapGet("/instances/{sop}/heatmap", HeatmapAsync);
        FrameValuesEndpoint.Map(api);
        HeaderEndpoint.Map(api);
    }

    private static async Task<IResult> FrameAsync(HttpContext ctx, string sop, string n, ITriageStore store)
    {
        var q = ctx.Request.Query;
        if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var frame) || frame < 1)
        {
            return ApiJson.Error(400, "frame number must be 1 or more");
        }
        var format = WorklistEndpoints.Text(q, "format") ?? "png";
        if (format is not ("png" or "jpeg" or "jpg"))
        {
            return ApiJson.Error(400, "format must be png or jpeg");
        }
        double? wc = null, ww = null;
        if (WorklistEndpoints.Text(q, "wc") is { } c && WorklistEndpoints.Text(q, "ww") is { } w)
        {
            if (!double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var cv) || !double.IsFinite(cv) ||
                !double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var wv) || !double.IsFinite(wv) || wv <= 0)
            {
                return ApiJson.Error(400, "wc must be a number and ww a positive number");
            }
            (wc, ww) = (cv, wv);
        }
        else if (WorklistEndpoints.Text(q, "wc") is not null || WorklistEndpoints.Text(q, "ww") is not null)
        {
            return ApiJson.Error(400, "wc and ww go together");
        }
        if (!WorklistEndpoints.Int(q, "size", 0, 16, 16384, out var size) || !WorklistEndpoints.Int(q, "quality", 90, 1, 100, out var quality))
        {
            return ApiJson.Error(400, "size must be 16..16384 and quality 1..100");
        }
        return await RenderAsync(ctx, store, sop, frame, format == "png" ? "png" : "jpeg", wc, ww, size == 0 ? null : size, quality).ConfigureAwait(false);
    }

    private static async Task<IResult> RenderAsync(HttpContext ctx, ITriageStore store, string sop, int frame, string format, double? wc, double? ww,
        int? size, int quality)
    {
        var (at, missing) = await FrameOfAsync(ctx, store, sop, frame).ConfigureAwait(false);
        if (at is null)
        {
            return missing!;
        }
        var key = string.Join('|', RenderVersion, at.SopInstanceUid, at.Version.ToString(CultureInfo.InvariantCulture), frame.ToString(CultureInfo.InvariantCulture),
            format, wc?.ToString("R", CultureInfo.InvariantCulture), ww?.ToString("R", CultureInfo.InvariantCulture),
            size?.ToString(CultureInfo.InvariantCulture), format == "jpeg" ? quality.ToString(CultureInfo.InvariantCulture) : "");
        if (NotModified(ctx, key))
        {
            return Results.StatusCode(304);
        }
        var (bytes, failed) = await FromArchivedFileAsync(ctx, "cannot render this image", () =>
        {
            var file = DicomReader.ReadFile(at.Path, new DicomReadOptions { LazyPixelData = true });
            var image = ImageRenderer.Render(file, new RenderOptions { Frame = frame - 1, WindowCenter = wc, WindowWidth = ww });
            if (size is { } s)
            {
                image = Fit(image, s);
            }
            return format == "png" ? ImageEncoder.ToPng(image) : ImageEncoder.ToJpeg(image, quality);
        }).ConfigureAwait(false);
        return bytes is null ? failed! : Results.Bytes(bytes, format == "png" ? "image/png" : "image/jpeg");
    }

    /// <summary>The instance (in the caller's clinic scope) and 1-based frame a frame endpoint serves, or the 404 that
    /// answers instead.</summary>
    internal static async Task<(InstanceLocation? At, IResult? Error)> FrameOfAsync(HttpContext ctx, ITriageStore store, string sop, int frame)
    {
        var at = await store.InstanceAsync(sop, Sessions.ScopeOf(Sessions.Current(ctx)), ctx.RequestAborted).ConfigureAwait(false);
        if (at is null)
        {
            return (null, ApiJson.Error(404, "no such instance"));
        }
        var frames = Math.Max(1, at.Frames);
        return frame > frames ? (null, ApiJson.Error(404, $"the instance has {frames} frames")) : (at, null);
    }

    /// <summary>Runs <paramref name="work"/> (reading the archived file) off the request thread. A missing file answers
    /// 404, one that cannot be read or decoded 422 ("<paramref name="cannot"/>: why"); either drops the ETag set for the
    /// success, so the error is not cached as the image.</summary>
    internal static async Task<(T? Value, IResult? Error)> FromArchivedFileAsync<T>(HttpContext ctx, string cannot, Func<T> work)
        where T : class
    {
        try
        {
            return (await Task.Run(work, ctx.RequestAborted).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ctx.Response.Headers.Remove("ETag");
            return (null, ApiJson.Error(404, "the archived file is missing"));
        }
        catch (Exception ex) when (ex is DicomException or NotSupportedException or InvalidDataException or ArgumentException)
        {
            ctx.Response.Headers.Remove("ETag");
            return (null, ApiJson.Error(422, cannot + ": " + ex.Message));
        }
    }

    /// <summary>Sets a strong ETag derived from <paramref name="key"/> (the instance version and every parameter) and the
    /// private cache lifetime; true when the browser already holds that rendition.</summary>
    internal static bool NotModified(HttpContext ctx, string key)
    {
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + "\"";
        ctx.Response.Headers.ETag = etag;
        ctx.Response.Headers.CacheControl = CacheControl;
        return ctx.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*"));
    }

    /// <summary>Scales the image so its longer side is at most <paramref name="size"/> (never up).</summary>
    private static RenderedImage Fit(RenderedImage image, int size)
    {
        var longer = Math.Max(image.Width, image.Height);
        if (longer <= size)
        {
            return image;
        }
        var w = Math.Max(1, (int)Math.Round(image.Width * (double)size / longer));
        var h = Math.Max(1, (int)Math.Round(image.Height * (double)size / longer));
        if (image.Channels == 1)
        {
            using var img = Image.LoadPixelData<L8>(image.Pixels, image.Width, image.Height);
            img.Mutate(x => x.Resize(w, h));
            var pixels = new byte[w * h];
            img.CopyPixelDataTo(pixels);
            return new RenderedImage(w, h, 1, pixels);
        }
        using (var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height))
        {
            img.Mutate(x => x.Resize(w, h));
            var pixels = new byte[w * h * 3];
            img.CopyPixelDataTo(pixels);
            return new RenderedImage(w, h, 3, pixels);
        }
    }

    private static async Task<IResult> HeatmapAsync(HttpContext ctx, string sop, ITriageStore store)
    {
        var q = ctx.Request.Query;
        if (WorklistEndpoints.Text(q, "model") is not { } model || WorklistEndpoints.Text(q, "label") is not { } label)
        {
            return ApiJson.Error(400, "model and label are required");
        }
        if (await store.InstanceAsync(sop, Sessions.ScopeOf(Sessions.Current(ctx)), ctx.RequestAborted).ConfigureAwait(false) is not { } at)
        {
            return ApiJson.Error(404, "no such instance");
        }
        if (!await ReaderView.ShowsModelOutputAsync(Sessions.Current(ctx), store, at.StudyInstanceUid, ctx.RequestAborted).ConfigureAwait(false))
        {
            return ApiJson.Error(403, ReaderView.Hidden);
        }
        var png = await store.HeatmapAsync(sop, model, label, ctx.RequestAborted).ConfigureAwait(false);
        if (png is null)
        {
            return ApiJson.Error(404, "no heatmap for this model and label");
        }
        ctx.Response.Headers.CacheControl = "private, no-cache";
        return Results.Bytes(png, "image/png");
    }
}
