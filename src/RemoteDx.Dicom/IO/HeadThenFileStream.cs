using Microsoft.Win32.SafeHandles;

namespace RemoteDx.Dicom.IO;

/// <summary>A read-only view of a file whose first bytes are already in memory (what a storage SCP kept while writing
/// it): reads inside <c>head</c> come from memory, and the file is opened only when a read goes past it.</summary>
internal sealed class HeadThenFileStream(string path, ReadOnlyMemory<byte> head, long length) : Stream
{
    private SafeFileHandle? _file;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= length || buffer.IsEmpty)
        {
            return 0;
        }
        if (_position < head.Length)
        {
            var n = (int)Math.Min(buffer.Length, head.Length - _position);
            head.Span.Slice((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        _file ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var read = RandomAccess.Read(_file, buffer[..(int)Math.Min(buffer.Length, length - _position)], _position);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
        }
        base.Dispose(disposing);
    }
}
