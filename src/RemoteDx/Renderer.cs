using RemoteDx.Dicom;
using RemoteDx.Dicom.Imaging;

namespace RemoteDx;

/// <summary>The `render` command's work: the displayed frame, encoded as the output file's extension asks.</summary>
internal static class Renderer
{
    public static byte[] RenderToFile(DicomFile file, int frame, double? wc, double? ww, string outPath)
    {
        var ext = Path.GetExtension(outPath).ToLowerInvariant();
        Func<RenderedImage, byte[]> encode = ext switch
        {
            ".png" => ImageEncoder.ToPng,
            ".jpg" or ".jpeg" => image => ImageEncoder.ToJpeg(image),
            _ => throw new DicomException($"cannot tell the image format from '{Path.GetFileName(outPath)}': use .png, .jpg or .jpeg"),
        };
        var image = ImageRenderer.Render(file, new RenderOptions { Frame = frame, WindowCenter = wc, WindowWidth = ww });
        return encode(image);
    }
}
