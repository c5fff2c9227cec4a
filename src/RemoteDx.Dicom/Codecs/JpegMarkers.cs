namespace RemoteDx.Dicom.Codecs;

/// <summary>Marker parsing shared by the JPEG decoders (ISO/IEC 10918-1 B.1.1.2 to B.1.1.4).</summary>
internal static class JpegMarkers
{
    /// <summary>libjpeg's next_marker (jdmarker.c): skips any bytes that are not FF, fill bytes FF (B.1.1.2) and
    /// FF 00 pairs, and returns the marker code found at or after <paramref name="pos"/> with the offset just past it,
    /// or -1 at the end of the data.</summary>
    public static int Next(ReadOnlySpan<byte> data, int pos, out int after)
    {
        while (pos < data.Length)
        {
            if (data[pos] != 0xFF)
            {
                pos++;
                continue;
            }
            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }
            if (pos >= data.Length)
            {
                break;
            }
            var code = data[pos++];
            if (code != 0x00)
            {
                after = pos;
                return code;
            }
        }
        after = data.Length;
        return -1;
    }

    /// <summary>B.1.1.4: the marker segment starting at <paramref name="pos"/> (just past the marker): a two-byte
    /// length Lp that counts itself, then the parameters, which are returned; <paramref name="pos"/> moves past them.</summary>
    public static ReadOnlySpan<byte> ReadSegment(ReadOnlySpan<byte> data, ref int pos, int marker, string codec)
    {
        if (pos + 2 > data.Length)
        {
            throw new DicomCodecException($"{codec}: marker segment FF{marker:X2} truncated");
        }
        var length = (data[pos] << 8) | data[pos + 1];
        if (length < 2 || pos + length > data.Length)
        {
            throw new DicomCodecException($"{codec}: marker segment FF{marker:X2} length {length} overruns the stream");
        }
        var segment = data.Slice(pos + 2, length - 2);
        pos += length;
        return segment;
    }
}
