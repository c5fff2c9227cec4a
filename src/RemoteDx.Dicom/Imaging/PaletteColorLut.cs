using System.Numerics;
using System.Runtime.InteropServices;

namespace RemoteDx.Dicom.Imaging;

/// <summary>The Red, Green and Blue Palette Color Lookup Tables of a PALETTE COLOR image, reduced to 8-bit entries.
/// PS3.3 C.7.6.3.1.5 (descriptors), C.7.6.3.1.6 (data), C.7.9.2 (segmented data).</summary>
internal sealed class PaletteColorLut
{
    private readonly Channel[] _channels;

    private PaletteColorLut(Channel[] channels) => _channels = channels;

    /// <summary>One colour's table: the stored value mapped to its first entry, and 8-bit entries.</summary>
    private sealed record Channel(int FirstInput, byte[] Entries)
    {
        public byte Lookup(long stored)
        {
            var i = stored - FirstInput;
            return Entries[i <= 0 ? 0 : i >= Entries.Length - 1 ? Entries.Length - 1 : (int)i];
        }
    }

    public static PaletteColorLut From(Dataset ds, PixelFormat format)
    {
        var channels = new Channel[3];
        Tag[] descriptors = [Tag.RedPaletteColorLookupTableDescriptor, Tag.GreenPaletteColorLookupTableDescriptor, Tag.BluePaletteColorLookupTableDescriptor];
        Tag[] data = [Tag.RedPaletteColorLookupTableData, Tag.GreenPaletteColorLookupTableData, Tag.BluePaletteColorLookupTableData];
        Tag[] segmented = [Tag.SegmentedRedPaletteColorLookupTableData, Tag.SegmentedGreenPaletteColorLookupTableData, Tag.SegmentedBluePaletteColorLookupTableData];
        for (var c = 0; c < 3; c++)
        {
            // PS3.3 C.7.6.3.1.5: the first value mapped is US or SS as the Pixel Representation says.
            var (count, first, bits) = LookupTable.ReadDescriptor(ds, descriptors[c], firstIsSigned: format.IsSigned);
            int[] entries;
            if (ds.Contains(data[c]))
            {
                entries = LookupTable.Parse(ds, descriptors[c], data[c], format.IsSigned).Entries;
            }
            else if (ds[segmented[c]] is { } seg)
            {
                entries = SegmentedLut.Expand(seg.Buffer.Span, bits, count, segmented[c]);
            }
            else
            {
                throw new DicomFormatException("PALETTE COLOR image has neither Palette Color Lookup Table Data nor its segmented form", tag: data[c]);
            }
            channels[c] = new Channel(first, ToEightBit(entries, bits));
        }
        return new PaletteColorLut(channels);
    }

    /// <summary>16-bit entries keep their high byte. 8-bit entries stored one per 16-bit word are taken as they
    /// are, unless some exceed 255 (a descriptor that understates the depth), when the high byte is kept.</summary>
    private static byte[] ToEightBit(int[] entries, int bits)
    {
        var max = 0;
        foreach (var e in entries)
        {
            max = Math.Max(max, e & 0xFFFF);
        }
        var shift = bits > 8 || max > 255 ? 8 : 0;
        var result = new byte[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            result[i] = (byte)((entries[i] & 0xFFFF) >> shift);
        }
        return result;
    }

    /// <summary>Maps stored indices to interleaved RGB. A table over every possible stored value (at most 2^16)
    /// turns each pixel into one lookup.</summary>
    public void Render(ReadOnlySpan<byte> stored, PixelFormat f, Span<byte> rgb)
    {
        if (f.SamplesPerPixel != 1)
        {
            throw new DicomFormatException($"PALETTE COLOR needs Samples per Pixel 1, not {f.SamplesPerPixel}", tag: Tag.SamplesPerPixel);
        }
        if (f.BytesPerSample > 2)
        {
            throw new DicomFormatException($"PALETTE COLOR with Bits Allocated {f.BitsAllocated} is not supported (8 or 16)", tag: Tag.BitsAllocated);
        }
        var (min, max) = VoiTransform.StoredRange(f);
        var table = new byte[(max - min + 1) * 3];
        for (long v = min; v <= max; v++)
        {
            var t = (int)(v - min) * 3;
            table[t] = _channels[0].Lookup(v);
            table[t + 1] = _channels[1].Lookup(v);
            table[t + 2] = _channels[2].Lookup(v);
        }
        var pixels = (int)f.PixelsPerFrame;
        var offset = (int)-min;
        switch (f.BytesPerSample, f.IsSigned)
        {
            case (1, false):
                Map(stored[..pixels], table, offset, rgb);
                break;
            case (1, true):
                Map(MemoryMarshal.Cast<byte, sbyte>(stored[..pixels]), table, offset, rgb);
                break;
            case (2, false):
                Map(MemoryMarshal.Cast<byte, ushort>(stored[..(2 * pixels)]), table, offset, rgb);
                break;
            default:
                Map(MemoryMarshal.Cast<byte, short>(stored[..(2 * pixels)]), table, offset, rgb);
                break;
        }
    }

    private static void Map<T>(ReadOnlySpan<T> values, byte[] table, int offset, Span<byte> rgb)
        where T : unmanaged, IBinaryInteger<T>
    {
        for (var i = 0; i < values.Length; i++)
        {
            var t = (int.CreateTruncating(values[i]) + offset) * 3;
            rgb[3 * i] = table[t];
            rgb[3 * i + 1] = table[t + 1];
            rgb[3 * i + 2] = table[t + 2];
        }
    }
}
