using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Text;

namespace RemoteDx.Dicom;

/// <summary>One data element. The value is held as little-endian bytes (the reader swaps big endian input), exactly
/// as encoded otherwise, padding included, so that writing it back reproduces the input.</summary>
public class DicomElement
{
    private ReadOnlyMemory<byte> _buffer;
    private Func<ReadOnlyMemory<byte>>? _loader;

    public DicomElement(Tag tag, VR vr, ReadOnlyMemory<byte> value)
    {
        Tag = tag;
        VR = vr;
        _buffer = value;
        Length = value.Length;
    }

    /// <summary>An element whose value is read from its source only when first asked for (lazy pixel data).</summary>
    public DicomElement(Tag tag, VR vr, long length, Func<ReadOnlyMemory<byte>> loader)
    {
        Tag = tag;
        VR = vr;
        Length = length;
        _loader = loader;
    }

    public Tag Tag { get; }

    public VR VR { get; internal set; }

    /// <summary>The VR as it was encoded (UN when the reader re-interpreted a known tag), so a writer can reproduce it.</summary>
    public VR SourceVR { get => _sourceVR == VR.None ? VR : _sourceVR; internal set => _sourceVR = value; }

    private VR _sourceVR;

    /// <summary>Value length in bytes (even for a well-formed element).</summary>
    public long Length { get; private protected set; }

    public bool IsLoaded => _loader is null;

    /// <summary>Where an unloaded value lies in its file (lazy pixel data), so that a part of it can be read alone.</summary>
    internal LazyValueSource? Source { get; init; }

    /// <summary>Bytes <paramref name="start"/> .. start + count of the value. An unloaded value with a file source is
    /// read there and stays unloaded, so one frame of a large Pixel Data costs one frame's bytes; otherwise a slice of
    /// <see cref="Buffer"/>.</summary>
    public ReadOnlyMemory<byte> ReadRange(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > Length)
        {
            throw new DicomFormatException($"bytes {start}..{start + count} are outside the {Length}-byte value", tag: Tag);
        }
        if (_loader is not null && Source is { } source && source.CanReadRange(VR, start, count))
        {
            return source.Read(start, count, Tag, VR);
        }
        return Buffer.Slice((int)start, count);
    }

    /// <summary>Copies bytes <paramref name="start"/> .. start + destination.Length of the value into
    /// <paramref name="destination"/>. An unloaded value with a file source is read from the file straight into it and
    /// stays unloaded (no array of the value's size is made); otherwise a copy out of <see cref="Buffer"/>.</summary>
    public void ReadRange(long start, Span<byte> destination)
    {
        var count = destination.Length;
        if (start < 0 || start + count > Length)
        {
            throw new DicomFormatException($"bytes {start}..{start + count} are outside the {Length}-byte value", tag: Tag);
        }
        if (_loader is not null && Source is { } source && source.CanReadRange(VR, start, count))
        {
            source.ReadInto(start, destination, Tag, VR);
            return;
        }
        Buffer.Span.Slice((int)start, count).CopyTo(destination);
    }

    public ReadOnlyMemory<byte> Buffer
    {
        get
        {
            if (_loader is { } load)
            {
                _buffer = load();
                _loader = null;
            }
            return _buffer;
        }
    }

    public override string ToString() => $"{Tag} {VRInfo.Name(VR)} #{Length}";

    internal string DecodeString(DicomCharacterSet cs)
    {
        var span = Buffer.Span;
        return VRInfo.UsesCharacterSet(VR) ? cs.Decode(span, VR) : Encoding.ASCII.GetString(span);
    }

    /// <summary>Numeric values of a binary VR as doubles (US, SS, UL, SL, FL, FD, UV, SV, OW, OB ...).</summary>
    internal double[] BinaryValues(int max = int.MaxValue)
    {
        var span = Buffer.Span;
        var size = VRInfo.ValueSize(VR);
        var n = Math.Min(span.Length / size, max);
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = span.Slice(i * size, size);
            result[i] = VR switch
            {
                VR.US or VR.OW => BinaryPrimitives.ReadUInt16LittleEndian(s),
                VR.SS => BinaryPrimitives.ReadInt16LittleEndian(s),
                VR.UL or VR.OL => BinaryPrimitives.ReadUInt32LittleEndian(s),
                VR.SL => BinaryPrimitives.ReadInt32LittleEndian(s),
                VR.FL or VR.OF => BinaryPrimitives.ReadSingleLittleEndian(s),
                VR.FD or VR.OD => BinaryPrimitives.ReadDoubleLittleEndian(s),
                VR.UV or VR.OV => BinaryPrimitives.ReadUInt64LittleEndian(s),
                VR.SV => BinaryPrimitives.ReadInt64LittleEndian(s),
                VR.AT => BinaryPrimitives.ReadUInt16LittleEndian(s),
                _ => s[0],
            };
        }
        return result;
    }

    internal static string FormatNumber(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
