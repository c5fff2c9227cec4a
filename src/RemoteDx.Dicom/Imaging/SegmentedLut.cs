using System.Buffers.Binary;

namespace RemoteDx.Dicom.Imaging;

/// <summary>Expands Segmented Palette Color Lookup Table Data. PS3.3 C.7.9.2.</summary>
internal static class SegmentedLut
{
    public static int[] Expand(ReadOnlySpan<byte> data, int bits, int count, Tag tag)
    {
        // Words are 8 or 16 bits as the descriptor's third value says.
        var size = bits <= 8 ? 1 : 2;
        var words = new int[data.Length / size];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = size == 1 ? data[i] : BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]);
        }
        var lut = new List<int>(count);
        var pos = 0;
        // A trailing pad word may follow the last segment; every segment is at least two words long.
        while (pos + 1 < words.Length)
        {
            var opcode = words[pos];
            var length = words[pos + 1];
            pos += 2;
            switch (opcode)
            {
                case 0:
                    // PS3.3 C.7.9.2.1 Discrete Segment: length values follow.
                    if (pos + length > words.Length)
                    {
                        throw new DicomFormatException($"discrete segment of {length} entries runs past the data", tag: tag);
                    }
                    for (var i = 0; i < length; i++)
                    {
                        lut.Add(words[pos + i]);
                    }
                    pos += length;
                    break;
                case 1:
                {
                    // PS3.3 C.7.9.2.2 Linear Segment: from the previous segment's last value to y1 in length steps.
                    if (lut.Count == 0)
                    {
                        throw new DicomFormatException("a segmented LUT cannot start with a linear segment", tag: tag);
                    }
                    if (pos >= words.Length)
                    {
                        throw new DicomFormatException("linear segment runs past the data", tag: tag);
                    }
                    var y0 = lut[^1];
                    var y1 = words[pos++];
                    for (var i = 1; i <= length; i++)
                    {
                        lut.Add((int)Math.Round(y0 + (y1 - y0) * (double)i / length, MidpointRounding.ToEven));
                    }
                    break;
                }
                case 2:
                    // PS3.3 C.7.9.2.3 Indirect Segment: not produced by any writer we know of.
                    throw new DicomFormatException("indirect segments in segmented palette LUTs are not supported", tag: tag);
                default:
                    throw new DicomFormatException($"unknown segment type {opcode} in segmented palette LUT", tag: tag);
            }
            if (lut.Count > 65536)
            {
                throw new DicomFormatException("segmented palette LUT expands past 65536 entries", tag: tag);
            }
        }
        if (lut.Count == 0)
        {
            throw new DicomFormatException("segmented palette LUT is empty", tag: tag);
        }
        return [.. lut];
    }
}
