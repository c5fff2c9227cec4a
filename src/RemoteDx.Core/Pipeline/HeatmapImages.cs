using RemoteDx.Core.Inference;
using RemoteDx.Core.Store;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RemoteDx.Core.Pipeline;

/// <summary>Turns a model's heatmap into the PNG the viewer stretches over the frame (docs/api.md): the letterbox
/// padding cropped away so the map has the image's aspect ratio, values through a blue → red colour map, alpha rising
/// with the value so low scores leave the image visible.</summary>
public static class HeatmapImages
{
    /// <summary>Label used for a heatmap that covers the whole image rather than one label.</summary>
    public const string WholeImage = "image";

    public static IReadOnlyList<HeatmapImage> Render(ImageScore score, int imageRows, int imageColumns)
    {
        var result = new List<HeatmapImage>();
        foreach (var m in score.Models)
        {
            foreach (var h in m.Heatmaps)
            {
                if (h.Width <= 0 || h.Height <= 0 || h.Values.Length != h.Width * h.Height)
                {
                    continue;
                }
                result.Add(new HeatmapImage(m.Model, h.Label ?? WholeImage, ToPng(h, m.Letterbox, imageRows, imageColumns)));
            }
        }
        return result;
    }

    public static byte[] ToPng(Heatmap map, InputPlacement placement, int imageRows, int imageColumns)
    {
        var left = Math.Clamp(placement.Left, 0f, 1f) * map.Width;
        var top = Math.Clamp(placement.Top, 0f, 1f) * map.Height;
        var w = (placement.Width > 0 ? Math.Min(placement.Width, 1f) : 1f) * map.Width;
        var h = (placement.Height > 0 ? Math.Min(placement.Height, 1f) : 1f) * map.Height;
        // Output at about the map's own resolution (it is coarse; the browser smooths it when stretching).
        var aspect = imageRows > 0 && imageColumns > 0 ? (double)imageColumns / imageRows : w / h;
        var longSide = Math.Clamp(Math.Max(map.Width, map.Height), 16, 512);
        var outW = aspect >= 1 ? longSide : Math.Max(1, (int)Math.Round(longSide * aspect));
        var outH = aspect >= 1 ? Math.Max(1, (int)Math.Round(longSide / aspect)) : longSide;
        var pixels = new Rgba32[outW * outH];
        for (var y = 0; y < outH; y++)
        {
            var sy = top + (y + 0.5f) * h / outH - 0.5f;
            for (var x = 0; x < outW; x++)
            {
                var sx = left + (x + 0.5f) * w / outW - 0.5f;
                pixels[y * outW + x] = Colour(Sample(map, sx, sy));
            }
        }
        using var img = Image.LoadPixelData<Rgba32>(pixels, outW, outH);
        using var ms = new MemoryStream();
        img.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8 });
        return ms.ToArray();
    }

    /// <summary>The map back from its display PNG (<see cref="ToPng"/>: alpha is the value × 191, the letterbox already
    /// cropped away), so the results writer can draw heatmap images from what the store keeps.</summary>
    public static Heatmap FromPng(string? label, byte[] png)
    {
        using var img = Image.Load<Rgba32>(png);
        var pixels = new Rgba32[img.Width * img.Height];
        img.CopyPixelDataTo(pixels);
        var values = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            values[i] = Math.Clamp(pixels[i].A / 191f, 0f, 1f);
        }
        return new Heatmap(label, img.Width, img.Height, values);
    }

    internal static float Sample(Heatmap map, float x, float y)
    {
        x = Math.Clamp(x, 0, map.Width - 1);
        y = Math.Clamp(y, 0, map.Height - 1);
        var x0 = (int)x;
        var y0 = (int)y;
        var x1 = Math.Min(x0 + 1, map.Width - 1);
        var y1 = Math.Min(y0 + 1, map.Height - 1);
        var fx = x - x0;
        var fy = y - y0;
        var v = map.Values;
        var a = v[y0 * map.Width + x0] * (1 - fx) + v[y0 * map.Width + x1] * fx;
        var b = v[y1 * map.Width + x0] * (1 - fx) + v[y1 * map.Width + x1] * fx;
        var r = a * (1 - fy) + b * fy;
        return float.IsFinite(r) ? Math.Clamp(r, 0f, 1f) : 0f;
    }

    /// <summary>Blue → cyan → yellow → red, alpha from 0 (value 0) to 0.75 (value 1).</summary>
    internal static Rgba32 Colour(float v)
    {
        float r, g, b;
        if (v < 1f / 3)
        {
            r = 0; g = v * 3; b = 1;
        }
        else if (v < 2f / 3)
        {
            r = (v - 1f / 3) * 3; g = 1; b = 1 - (v - 1f / 3) * 3;
        }
        else
        {
            r = 1; g = 1 - (v - 2f / 3) * 3; b = 0;
        }
        return new Rgba32((byte)(r * 255), (byte)(g * 255), (byte)(b * 255), (byte)(v * 191));
    }
}
