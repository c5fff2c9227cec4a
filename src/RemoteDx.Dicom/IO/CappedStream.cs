namespace RemoteDx.Dicom.IO;

/// <summary>Fails once more than <c>limit</c> bytes have been read: bounds what a deflate bomb can inflate to.</summary>
internal sealed class CappedStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (InvalidDataException ex)
        {
            throw new DicomFormatException("deflated dataset is corrupt: " + ex.Message, _read, inner: ex);
        }
        _read += n;
        if (_read > limit)
        {
            throw new DicomLimitException($"deflated dataset inflates beyond the limit of {limit} bytes (MaxInflatedBytes) at inflated offset {_read - n}");
        }
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
