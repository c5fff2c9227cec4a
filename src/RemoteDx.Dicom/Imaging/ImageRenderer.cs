namespace RemoteDx.Dicom.Imaging;

/// <summary>Renders one frame as it is meant to be displayed: the grayscale pipeline (Modality LUT, VOI LUT,
/// MONOCHROME1 inversion; PS3.3 C.11, PS3.4 N.2.1), palette lookup (PS3.3 C.7.6.3.1.5) or colour-space conversion
/// (PS3.3 C.7.6.3.1.2), to 8 bits per sample.</summary>
public static class ImageRenderer
{
    public static RenderedImage Render(DicomFile file, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        var ds = file.Dataset;
        var format = PixelFormat.FromDataset(ds);
        var stored = PixelDataDecoder.DecodeFrame(file, options.Frame);
        var pixels = (int)format.PixelsPerFrame;
        switch (format.PhotometricInterpretation)
        {
            case "MONOCHROME1":
            case "MONOCHROME2":
            {
                var grey = new byte[pixels];
                GrayscaleRenderer.Render(stored, format, ds, options, grey);
                return new RenderedImage(format.Columns, format.Rows, 1, grey);
            }
            case "PALETTE COLOR":
            {
                var rgb = new byte[pixels * 3];
                PaletteColorLut.From(ds, format).Render(stored, format, rgb);
                return Finish(format, rgb, options.Invert);
            }
            default:
            {
                var rgb = new byte[pixels * 3];
                ColorRenderer.Render(stored, format, rgb);
                return Finish(format, rgb, options.Invert);
            }
        }
    }

    private static RenderedImage Finish(PixelFormat format, byte[] rgb, bool invert)
    {
        if (invert)
        {
            foreach (ref var b in rgb.AsSpan())
            {
                b = (byte)~b;
            }
        }
        return new RenderedImage(format.Columns, format.Rows, 3, rgb);
    }
}
