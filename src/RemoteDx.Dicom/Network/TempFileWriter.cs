// How a received data set reaches its temp file: positional writes from a pooled buffer
using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace RemoteDx.Dicom.Network;

/// <summary>Writes one received data set to a new temp file. PDV fragments are gathered in a buffer rented from the
/// shared pool and written with positional writes, so a C-STORE allocates no buffer of its own (a FileStream's buffer
/// per file was a fresh large-object-heap array per instance: background GCs and page faults on every C-STORE). A copy
/// of the file's first <see cref="HeadSize"/> bytes is kept, so the handler can parse the header without reading the
/// file back (<see cref="StoreRequest.Head"/>). With <see cref="StoreDestination.StartWriteback"/> the OS is asked to
/// start writing every megabyte as it arrives.</summary>
/// <remarks>Tried and left out (bench/ingest/README.md): O_DIRECT writes. They skip the page-cache copy, but a
/// synchronous direct write holds the association's reader for the device's latency, which cost more than it saved.</remarks>
internal sealed class TempFileWriter : IDisposable
{
    /// <summary>How many received bytes are gathered before one write to the file.</summary>
    public const int BufferSize = 256 * 1024;

    /// <summary>How much of the start of the file is kept in memory for the handler.</summary>
    public const int HeadSize = 64 * 1024;

    private readonly bool _startWriteback;
    private SafeFileHandle? _file;
    private byte[]? _buffer;
    private int _buffered;
    private long _written;
    private long _writtenBack;
    private byte[]? _head;
    private int _headLength;

    private TempFileWriter(SafeFileHandle file, bool startWriteback)
    {
        _file = file;
        _startWriteback = startWriteback;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _head = ArrayPool<byte>.Shared.Rent(HeadSize);
    }

    /// <summary>Creates <paramref name="path"/>, which must not exist.</summary>
    public static TempFileWriter Create(string path, bool startWriteback) =>
        new(File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None), startWriteback);

    /// <summary>The first bytes of the file (up to <see cref="HeadSize"/>); valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Head => _head is null ? ReadOnlyMemory<byte>.Empty : _head.AsMemory(0, _headLength);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_headLength < HeadSize && _head is not null)
        {
            var n = Math.Min(bytes.Length, HeadSize - _headLength);
            bytes[..n].CopyTo(_head.AsSpan(_headLength));
            _headLength += n;
        }
        var buffer = _buffer!;
        if (_buffered + bytes.Length > buffer.Length)
        {
            Flush();
        }
        if (bytes.Length >= buffer.Length)
        {
            RandomAccess.Write(_file!, bytes, _written);
            _written += bytes.Length;
        }
        else
        {
            bytes.CopyTo(buffer.AsSpan(_buffered));
            _buffered += bytes.Length;
        }
        if (_startWriteback && _written - _writtenBack >= EarlyWriteback.Interval)
        {
            // Let the OS start writing what it has to disk while the rest arrives.
            EarlyWriteback.Start(_file!, _writtenBack, _written - _writtenBack);
            _writtenBack = _written;
        }
    }

    /// <summary>Writes what is still buffered (this can fail: a full disk).</summary>
    public void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }
        RandomAccess.Write(_file!, _buffer.AsSpan(0, _buffered), _written);
        _written += _buffered;
        _buffered = 0;
    }

    /// <summary>Closes the file, keeping <see cref="Head"/> readable until <see cref="Dispose"/>.</summary>
    public void CloseHandle()
    {
        _file?.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        CloseHandle();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        if (_head is not null)
        {
            ArrayPool<byte>.Shared.Return(_head);
            _head = null;
        }
        _buffered = 0;
    }
}
