using System.Buffers.Binary;

namespace RemoteDx.Dicom.Imaging;

/// <summary>True-colour images to 8-bit RGB: samples scaled to 8 bits by Bits Stored, then YBR_FULL and YBR_FULL_422
/// converted to RGB. PS3.3 C.7.6.3.1.2.</summary>
internal static class ColorRenderer
{
    private const int FixedShift = 16;
    private const int FixedHalf = 1 << (FixedShift - 1);

    // Fixed-point terms of the YBR_FULL to RGB equations indexed by the 8-bit Cb or Cr value. PS3.3 C.7.6.3.1.2
    // defines YBR_FULL as full-range ITU-R BT.601 YCbCr (as JFIF / ITU-T T.871 does):
    //   R = Y + 1.402 (Cr - 128); G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128); B = Y + 1.772 (Cb - 128).
    private static readonly int[] CrToR = Table(1.402);
    private static readonly int[] CbToG = Table(-0.344136);
    private static readonly int[] CrToG = Table(-0.714136);
    private static readonly int[] CbToB = Table(1.772);

    public static void Render(byte[] stored, PixelFormat f, Span<byte> rgb)
    {
        if (f.SamplesPerPixel != 3)
        {
            throw new DicomFormatException($"{f.PhotometricInterpretation} needs Samples per Pixel 3, not {f.SamplesPerPixel}", tag: Tag.SamplesPerPixel);
        }
        ScaleToEightBits(stored, f, rgb);
        switch (f.PhotometricInterpretation)
        {
            case "RGB":
            // JPEG 2000 decoders apply the inverse RCT / ICT themselves (PS3.5 8.2.4), so these arrive as RGB.
            case "YBR_RCT":
            case "YBR_ICT":
                break;
            // The decoder has already upsampled 4:2:2 chroma to one Cb and Cr per pixel, and a JPEG baseline
            // decoder leaves the YCbCr of a YBR_FULL_422 stream as it is.
            case "YBR_FULL":
            case "YBR_FULL_422":
                YbrFullToRgb(rgb);
                break;
            default:
                throw new DicomException($"Photometric Interpretation {f.PhotometricInterpretation} cannot be rendered");
        }
    }

    /// <summary>Samples of more or fewer than 8 bits are scaled linearly so that 2^BitsStored - 1 becomes 255.</summary>
    private static void ScaleToEightBits(byte[] stored, PixelFormat f, Span<byte> rgb)
    {
        var count = rgb.Length;
        if (f.BytesPerSample == 1 && f.BitsStored == 8)
        {
            stored.AsSpan(0, count).CopyTo(rgb);
            return;
        }
        if (f.BytesPerSample > 4)
        {
            throw new DicomFormatException($"colour samples of {f.BitsAllocated} bits are not supported", tag: Tag.BitsAllocated);
        }
        if (f.IsSigned)
        {
            throw new DicomFormatException("signed colour samples are not supported", tag: Tag.PixelRepresentation);
        }
        var bits = Math.Min(f.BitsStored, 32);
        var max = (double)((1L << bits) - 1);
        if (f.BytesPerSample <= 2)
        {
            var table = new byte[1 << bits];
            for (var v = 0; v < table.Length; v++)
            {
                table[v] = (byte)Math.Round(v * 255 / max);
            }
            if (f.BytesPerSample == 1)
            {
                for (var i = 0; i < count; i++)
                {
                    rgb[i] = table[stored[i]];
                }
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    rgb[i] = table[BinaryPrimitives.ReadUInt16LittleEndian(stored.AsSpan(2 * i))];
                }
            }
            return;
        }
        for (var i = 0; i < count; i++)
        {
            rgb[i] = (byte)Math.Round(BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(4 * i)) * 255 / max);
        }
    }

    private static void YbrFullToRgb(Span<byte> p)
    {
        for (var i = 0; i + 2 < p.Length; i += 3)
        {
            var y = (p[i] << FixedShift) + FixedHalf;
            int cb = p[i + 1], cr = p[i + 2];
            p[i] = Clamp((y + CrToR[cr]) >> FixedShift);
            p[i + 1] = Clamp((y + CbToG[cb] + CrToG[cr]) >> FixedShift);
            p[i + 2] = Clamp((y + CbToB[cb]) >> FixedShift);
        }
    }

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

    private static int[] Table(double factor)
    {
        var t = new int[256];
        for (var i = 0; i < 256; i++)
        {
            t[i] = (int)Math.Round(factor * (i - 128) * (1 << FixedShift));
        }
        return t;
    }
}
