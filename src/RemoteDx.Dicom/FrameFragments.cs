using System.Buffers.Binary;

namespace RemoteDx.Dicom;

/// <summary>Maps the fragments of encapsulated pixel data to frames. PS3.5 A.4: Extended Offset Table, then Basic
/// Offset Table, then one fragment per frame, then codestream start markers. Only the fragments of the frame asked
/// for are read; the rest of a lazily read Pixel Data stays in the file.</summary>
public static class FrameFragments
{
    public static byte[] Extract(Dataset ds, DicomFragments pixel, int frameCount, int frame)
    {
        var (from, to) = FragmentRange(ds, pixel, frameCount, frame);
        return Concat(pixel, from, to);
    }

    /// <summary>Fragments [from, to) that hold <paramref name="frame"/>, found from lengths and the tables alone
    /// (a scan for codestream starts reads a few bytes of each fragment, once).</summary>
    public static (int From, int To) FragmentRange(Dataset ds, DicomFragments pixel, int frameCount, int frame)
    {
        var count = pixel.FragmentCount;
        if (count == 0)
        {
            throw new DicomFormatException("encapsulated pixel data has no fragments", tag: Tag.PixelData);
        }
        if (frameCount == 1)
        {
            return (0, count);
        }

        // Offsets in both tables count from the first byte of the first fragment's Item tag.
        var starts = new long[count];
        long pos = 0;
        for (var i = 0; i < count; i++)
        {
            starts[i] = pos;
            pos += 8 + pixel.FragmentLength(i);
        }

        if (ds[Tag.ExtendedOffsetTable] is { } eot && eot.Length >= 8L * frameCount)
        {
            var table = eot.Buffer.Span;
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(table[(8 * frame)..]);
            var next = frame + 1 < frameCount ? (long)BinaryPrimitives.ReadUInt64LittleEndian(table[(8 * (frame + 1))..]) : pos;
            return ByOffsets(starts, offset, next, Tag.ExtendedOffsetTable);
        }

        var bot = pixel.OffsetTable.Span;
        if (bot.Length >= 4L * frameCount)
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(bot[(4 * frame)..]);
            var next = frame + 1 < frameCount ? BinaryPrimitives.ReadUInt32LittleEndian(bot[(4 * (frame + 1))..]) : pos;
            return ByOffsets(starts, offset, next, Tag.PixelData);
        }

        if (count == frameCount)
        {
            return (frame, frame + 1);
        }

        var frameStarts = pixel.ScannedFrameStarts ??= ScanFrameStarts(pixel, count, frameCount);
        return (frameStarts[frame], frame + 1 < frameStarts.Length ? frameStarts[frame + 1] : count);
    }

    /// <summary>No table: a frame begins with a fragment that starts a codestream (JPEG SOI FFD8, J2K SOC FF4F, JP2
    /// box); only the first 8 bytes of each fragment are read.</summary>
    private static int[] ScanFrameStarts(DicomFragments pixel, int count, int frameCount)
    {
        var frameStarts = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var f = pixel.ReadFragment(i, 8).Span;
            if (f.Length >= 2 && f[0] == 0xFF && (f[1] == 0xD8 || f[1] == 0x4F) || f.Length >= 8 && f[4] == 'j' && f[5] == 'P')
            {
                frameStarts.Add(i);
            }
        }
        if (frameStarts.Count != frameCount)
        {
            if (count < frameCount)
            {
                throw new DicomFormatException($"{count} fragments cannot hold {frameCount} frames and there is no offset table", tag: Tag.PixelData);
            }
            throw new DicomFormatException($"cannot tell frames apart: {count} fragments, {frameCount} frames, no offset table", tag: Tag.PixelData);
        }
        return frameStarts.ToArray();
    }

    private static (int, int) ByOffsets(long[] starts, long offset, long next, Tag table)
    {
        var first = Array.BinarySearch(starts, offset);
        if (first < 0 || next < offset)
        {
            throw new DicomFormatException($"offset table entry {offset} does not point at a fragment", tag: table);
        }
        var last = first;
        while (last < starts.Length && starts[last] < next)
        {
            last++;
        }
        return (first, last);
    }

    private static byte[] Concat(DicomFragments pixel, int from, int to)
    {
        long total = 0;
        for (var i = from; i < to; i++)
        {
            total += pixel.FragmentLength(i);
        }
        if (total > Array.MaxLength)
        {
            throw new DicomLimitException($"frame of {total} bytes in Pixel Data {Tag.PixelData} is too large");
        }
        if (to - from == 1)
        {
            var only = pixel.ReadFragment(from);
            return only.Length == total && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(only, out var seg)
                && seg.Offset == 0 && seg.Count == seg.Array!.Length && !pixel.FragmentsLoaded ? seg.Array : only.ToArray();
        }
        var result = new byte[total];
        var pos = 0;
        for (var i = from; i < to; i++)
        {
            var f = pixel.ReadFragment(i);
            f.Span.CopyTo(result.AsSpan(pos));
            pos += f.Length;
        }
        return result;
    }
}
