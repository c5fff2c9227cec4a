using RemoteDx.Dicom.Imaging;

namespace RemoteDx.Dicom.Tests.Imaging;

/// <summary>In-memory grayscale images for tests that pin one rule of the pipeline.</summary>
internal static class SyntheticImages
{
    public static DicomFile Grey16(int rows, int columns, short[] pixels, bool signed = true, int frames = 1)
    {
        var ds = new Dataset();
        ds.SetUInt16(Tag.SamplesPerPixel, 1);
        ds.SetString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.SetUInt16(Tag.Rows, (ushort)rows);
        ds.SetUInt16(Tag.Columns, (ushort)columns);
        ds.SetUInt16(Tag.BitsAllocated, 16);
        ds.SetUInt16(Tag.BitsStored, 16);
        ds.SetUInt16(Tag.HighBit, 15);
        ds.SetUInt16(Tag.PixelRepresentation, (ushort)(signed ? 1 : 0));
        if (frames > 1)
        {
            ds.SetString(Tag.NumberOfFrames, VR.IS, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var bytes = new byte[pixels.Length * 2];
        Buffer.BlockCopy(pixels, 0, bytes, 0, bytes.Length);
        ds.SetBytes(Tag.PixelData, VR.OW, bytes);
        return new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
    }

    public static byte[] Render(DicomFile file, RenderOptions? options = null) =>
        ImageRenderer.Render(file, options ?? new RenderOptions()).Pixels;
}
