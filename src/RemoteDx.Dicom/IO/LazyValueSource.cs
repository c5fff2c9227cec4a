namespace RemoteDx.Dicom.IO;

/// <summary>The file position of a value left on disk by a lazy read: a part of it can be read without the rest.</summary>
internal sealed record LazyValueSource(string Path, long Offset, long MaxLength, bool BigEndian)
{
    /// <summary>Big-endian values are swapped per sample: a part can be swapped alone only when it starts and ends on
    /// a sample.</summary>
    public bool CanReadRange(VR vr, long start, int count)
    {
        if (!BigEndian)
        {
            return true;
        }
        var size = Math.Max(1, VRInfo.ValueSize(vr));
        return start % size == 0 && count % size == 0;
    }

    public byte[] Read(long start, int count, Tag tag, VR vr)
    {
        if (count > MaxLength)
        {
            throw new DicomLimitException($"a read of {count} bytes at tag {tag} (offset {Offset + start}) exceeds the limit of {MaxLength} bytes");
        }
        using var fs = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        if (Offset + start + count > fs.Length)
        {
            throw new DicomFormatException("file shrank since it was read", Offset + start, tag);
        }
        fs.Seek(Offset + start, SeekOrigin.Begin);
        var buf = GC.AllocateUninitializedArray<byte>(count);
        fs.ReadExactly(buf);
        if (BigEndian)
        {
            DicomReader.SwapToLittleEndian(buf, vr);
        }
        return buf;
    }

    /// <summary>As <see cref="Read"/>, into <paramref name="destination"/>: one positioned read per call of the
    /// operating system, no buffer in between.</summary>
    public void ReadInto(long start, Span<byte> destination, Tag tag, VR vr)
    {
        if (destination.Length > MaxLength)
        {
            throw new DicomLimitException($"a read of {destination.Length} bytes at tag {tag} (offset {Offset + start}) exceeds the limit of {MaxLength} bytes");
        }
        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var position = Offset + start;
        if (position + destination.Length > RandomAccess.GetLength(handle))
        {
            throw new DicomFormatException("file shrank since it was read", position, tag);
        }
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[done..], position + done);
            if (n <= 0)
            {
                throw new DicomFormatException("file shrank since it was read", position + done, tag);
            }
            done += n;
        }
        if (BigEndian)
        {
            DicomReader.SwapToLittleEndian(destination, vr);
        }
    }
}
