using System.Buffers.Binary;

namespace RemoteDx.Dicom.IO;

/// <summary>Buffered forward reader over a stream that tracks its logical offset and knows, where it can, how many
/// bytes remain, so a value length can be checked before anything is allocated for it.</summary>
internal sealed class DicomInput
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _pos;
    private int _len;
    private readonly long _end; // logical length of the source, or long.MaxValue when unknown
    private long _bufferStart;  // logical offset of _buffer[0]

    public DicomInput(Stream stream, long startOffset = 0, long knownLength = -1, int bufferSize = 64 * 1024)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
        _bufferStart = startOffset;
        _end = knownLength >= 0 ? startOffset + knownLength : long.MaxValue;
    }

    public long Position => _bufferStart + _pos;

    public bool LengthKnown => _end != long.MaxValue;

    public long Remaining => _end == long.MaxValue ? long.MaxValue : _end - Position;

    public bool CanSeek => _stream.CanSeek;

    /// <summary>True at the end of the data (reads ahead to find out).</summary>
    public bool AtEnd => _pos == _len && !Fill(1);

    private bool Fill(int needed)
    {
        if (_len - _pos >= needed)
        {
            return true;
        }
        if (_pos > 0)
        {
            Array.Copy(_buffer, _pos, _buffer, 0, _len - _pos);
            _bufferStart += _pos;
            _len -= _pos;
            _pos = 0;
        }
        while (_len < needed)
        {
            var n = _stream.Read(_buffer, _len, _buffer.Length - _len);
            if (n <= 0)
            {
                return false;
            }
            _len += n;
        }
        return true;
    }

    public bool TryPeek(Span<byte> dest)
    {
        if (!Fill(dest.Length))
        {
            return false;
        }
        _buffer.AsSpan(_pos, dest.Length).CopyTo(dest);
        return true;
    }

    public ReadOnlySpan<byte> Read(int count, Tag? tag = null)
    {
        if (!Fill(count))
        {
            throw new DicomFormatException($"unexpected end of data: needed {count} more bytes", Position, tag);
        }
        var s = _buffer.AsSpan(_pos, count);
        _pos += count;
        return s;
    }

    /// <summary>Reads whatever is buffered (or one stream read's worth) into <paramref name="dest"/>; 0 at the end.</summary>
    public int ReadAvailable(Span<byte> dest)
    {
        if (dest.Length == 0 || _pos == _len && !Fill(1))
        {
            return 0;
        }
        var n = Math.Min(_len - _pos, dest.Length);
        _buffer.AsSpan(_pos, n).CopyTo(dest);
        _pos += n;
        return n;
    }

    public ushort ReadUInt16(bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(Read(2)) : BinaryPrimitives.ReadUInt16LittleEndian(Read(2));

    public uint ReadUInt32(bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(Read(4)) : BinaryPrimitives.ReadUInt32LittleEndian(Read(4));

    /// <summary>Reads a value of <paramref name="length"/> bytes. The length is checked against what the source can
    /// still hold; where that is unknown, memory grows only as data actually arrives.</summary>
    public byte[] ReadValue(long length, Tag tag, long maxLength)
    {
        if (length > Remaining)
        {
            throw new DicomFormatException($"value length {length} exceeds the {Remaining} bytes left in the data", Position, tag);
        }
        if (length > maxLength || length > Array.MaxLength)
        {
            throw new DicomLimitException($"value length {length} at tag {tag} (offset {Position}) exceeds the limit of {maxLength} bytes");
        }
        var n = (int)length;
        if (LengthKnown || n <= 1 << 20)
        {
            var result = GC.AllocateUninitializedArray<byte>(n);
            ReadInto(result, tag);
            return result;
        }
        // Unknown remaining size (deflated or network): grow with the data, never trust the length up front. Chunks
        // rather than a MemoryStream: at most twice the value in memory at the end, not three times.
        var chunks = new List<byte[]>();
        var left = n;
        while (left > 0)
        {
            var chunk = GC.AllocateUninitializedArray<byte>(Math.Min(left, 1 << 20));
            ReadInto(chunk, tag);
            chunks.Add(chunk);
            left -= chunk.Length;
        }
        var value = GC.AllocateUninitializedArray<byte>(n);
        var at = 0;
        foreach (var c in chunks)
        {
            c.CopyTo(value, at);
            at += c.Length;
        }
        return value;
    }

    public void ReadInto(Span<byte> dest, Tag? tag = null)
    {
        var avail = Math.Min(_len - _pos, dest.Length);
        _buffer.AsSpan(_pos, avail).CopyTo(dest);
        _pos += avail;
        var done = avail;
        while (done < dest.Length)
        {
            // Large values bypass the buffer.
            var n = _stream.Read(dest[done..]);
            if (n <= 0)
            {
                throw new DicomFormatException($"unexpected end of data: value needs {dest.Length - done} more bytes", Position + done, tag);
            }
            done += n;
            _bufferStart += n;
        }
    }

    public void Skip(long count, Tag? tag = null)
    {
        if (count > Remaining)
        {
            throw new DicomFormatException($"value length {count} exceeds the {Remaining} bytes left in the data", Position, tag);
        }
        var avail = Math.Min(_len - _pos, count);
        _pos += (int)avail;
        count -= avail;
        if (count == 0)
        {
            return;
        }
        _bufferStart += _len;
        _pos = 0;
        _len = 0;
        if (_stream.CanSeek)
        {
            _stream.Seek(count, SeekOrigin.Current);
            _bufferStart += count;
            return;
        }
        var scratch = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = _stream.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (n <= 0)
            {
                throw new DicomFormatException("unexpected end of data while skipping a value", Position, tag);
            }
            count -= n;
            _bufferStart += n;
        }
    }
}
