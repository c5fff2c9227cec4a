using System.Buffers.Binary;

namespace RemoteDx.Dicom;

/// <summary>Maps the fragments of encapsulated pixel data to frames. PS3.5 A.4: Extended Offset Table, then Basic
/// Offset Table, then one fragment per frame, then codestream start markers.</summary>
public static class FrameFragments
{
    public static byte[] Extract(Dataset ds, DicomFragments pixel, int frameCount, int frame)
    {
        var frags = pixel.Fragments;
        if (frags.Count == 0)
        {
            throw new DicomFormatException("encapsulated pixel data has no fragments", tag: Tag.PixelData);
        }
        if (frameCount == 1)
        {
            return Concat(frags, 0, frags.Count);
        }

        // Offsets in both tables count from the first byte of the first fragment's Item tag.
        var starts = new long[frags.Count];
        long pos = 0;
        for (var i = 0; i < frags.Count; i++)
        {
            starts[i] = pos;
            pos += 8 + frags[i].Length;
        }

        if (ds[Tag.ExtendedOffsetTable] is { } eot && eot.Buffer.Length >= 8L * frameCount)
        {
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(eot.Buffer.Span[(8 * frame)..]);
            return ByOffsets(frags, starts, offset, frame + 1 < frameCount
                ? (long)BinaryPrimitives.ReadUInt64LittleEndian(eot.Buffer.Span[(8 * (frame + 1))..])
                : pos, Tag.ExtendedOffsetTable);
        }

        var bot = pixel.OffsetTable.Span;
        if (bot.Length >= 4L * frameCount)
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(bot[(4 * frame)..]);
            var next = frame + 1 < frameCount ? BinaryPrimitives.ReadUInt32LittleEndian(bot[(4 * (frame + 1))..]) : pos;
            return ByOffsets(frags, starts, offset, next, Tag.PixelData);
        }

        if (frags.Count == frameCount)
        {
            return frags[frame].ToArray();
        }

        // No table: a frame begins with a fragment that starts a codestream (JPEG SOI FFD8, J2K SOC FF4F, JP2 box).
        var frameStarts = new List<int>();
        for (var i = 0; i < frags.Count; i++)
        {
            var f = frags[i].Span;
            if (f.Length >= 2 && f[0] == 0xFF && (f[1] == 0xD8 || f[1] == 0x4F) || f.Length >= 8 && f[4] == 'j' && f[5] == 'P')
            {
                frameStarts.Add(i);
            }
        }
        if (frameStarts.Count != frameCount)
        {
            if (frags.Count < frameCount)
            {
                throw new DicomFormatException($"{frags.Count} fragments cannot hold {frameCount} frames and there is no offset table", tag: Tag.PixelData);
            }
            throw new DicomFormatException($"cannot tell frames apart: {frags.Count} fragments, {frameCount} frames, no offset table", tag: Tag.PixelData);
        }
        var end = frame + 1 < frameStarts.Count ? frameStarts[frame + 1] : frags.Count;
        return Concat(frags, frameStarts[frame], end);
    }

    private static byte[] ByOffsets(List<ReadOnlyMemory<byte>> frags, long[] starts, long offset, long next, Tag table)
    {
        var first = Array.IndexOf(starts, offset);
        if (first < 0 || next < offset)
        {
            throw new DicomFormatException($"offset table entry {offset} does not point at a fragment", tag: table);
        }
        var last = first;
        while (last < frags.Count && starts[last] < next)
        {
            last++;
        }
        return Concat(frags, first, last);
    }

    private static byte[] Concat(List<ReadOnlyMemory<byte>> frags, int from, int to)
    {
        long total = 0;
        for (var i = from; i < to; i++)
        {
            total += frags[i].Length;
        }
        if (total > Array.MaxLength)
        {
            throw new DicomLimitException($"frame of {total} bytes in Pixel Data {Tag.PixelData} is too large");
        }
        var result = new byte[total];
        var pos = 0;
        for (var i = from; i < to; i++)
        {
            frags[i].Span.CopyTo(result.AsSpan(pos));
            pos += frags[i].Length;
        }
        return result;
    }
}
