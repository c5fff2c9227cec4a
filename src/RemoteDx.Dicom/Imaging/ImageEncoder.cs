using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RemoteDx.Dicom.Imaging;

/// <summary>Encodes a rendered image as PNG or JPEG: 8-bit grey (L8) or 8-bit RGB (Rgb24).</summary>
public static class ImageEncoder
{
    public static byte[] ToPng(RenderedImage image)
    {
        Check(image);
        using var ms = new MemoryStream();
        if (image.Channels == 1)
        {
            using var img = Image.LoadPixelData<L8>(image.Pixels, image.Width, image.Height);
            img.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        }
        else
        {
            using var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
            img.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        }
        return ms.ToArray();
    }

    public static byte[] ToJpeg(RenderedImage image, int quality = 90)
    {
        Check(image);
        if (quality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality is 1..100");
        }
        using var ms = new MemoryStream();
        if (image.Channels == 1)
        {
            using var img = Image.LoadPixelData<L8>(image.Pixels, image.Width, image.Height);
            img.SaveAsJpeg(ms, new JpegEncoder { Quality = quality, ColorType = JpegColorType.Luminance });
        }
        else
        {
            using var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
            img.SaveAsJpeg(ms, new JpegEncoder { Quality = quality, ColorType = JpegColorType.YCbCrRatio444 });
        }
        return ms.ToArray();
    }

    private static void Check(RenderedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels is not (1 or 3))
        {
            throw new ArgumentException($"a rendered image has 1 or 3 channels, not {image.Channels}", nameof(image));
        }
        if ((long)image.Width * image.Height * image.Channels != image.Pixels.Length)
        {
            throw new ArgumentException($"{image.Width}x{image.Height}x{image.Channels} does not match {image.Pixels.Length} bytes", nameof(image));
        }
    }
}
