namespace RemoteDx.Dicom;

/// <summary>Encapsulated pixel data: a Basic Offset Table item followed by fragments. PS3.5 A.4.</summary>
public sealed class DicomFragments : DicomElement
{
    private ReadOnlyMemory<byte>? _offsetTable;
    private List<ReadOnlyMemory<byte>>? _fragments;

    // Lazy pixel data: where each item's value lies in the file (offset table first); nothing is held until asked for.
    private readonly string? _path;
    private readonly IReadOnlyList<long>? _itemOffsets;
    private readonly long _maxLength;

    public DicomFragments(Tag tag, VR vr, ReadOnlyMemory<byte> offsetTable, IEnumerable<ReadOnlyMemory<byte>> fragments)
        : base(tag, vr, ReadOnlyMemory<byte>.Empty)
    {
        _offsetTable = offsetTable;
        _fragments = fragments.ToList();
        Length = -1;
    }

    /// <summary>Fragments left in the file (lazy pixel data); the reader has already checked the item structure and
    /// recorded each item's position and size. One fragment can be read alone (<see cref="ReadFragment"/>).</summary>
    internal DicomFragments(Tag tag, VR vr, string path, IReadOnlyList<long> itemOffsets, IReadOnlyList<long> itemLengths, long maxLength)
        : base(tag, vr, ReadOnlyMemory<byte>.Empty)
    {
        _path = path;
        _itemOffsets = itemOffsets;
        FragmentLengths = itemLengths;
        _maxLength = maxLength;
        Length = -1;
    }

    /// <summary>Item lengths recorded by a lazy read (offset table first), or null.</summary>
    public IReadOnlyList<long>? FragmentLengths { get; }

    /// <summary>False while every fragment is still only in the file.</summary>
    public bool FragmentsLoaded => _fragments is not null;

    /// <summary>The Basic Offset Table item's value (may be empty); a lazy read loads this item alone.</summary>
    public ReadOnlyMemory<byte> OffsetTable
    {
        get => _offsetTable ??= ReadItem(0);
        set
        {
            Load();
            _offsetTable = value;
        }
    }

    /// <summary>Every fragment, loaded at once (the writer and the dumper need them all).</summary>
    public List<ReadOnlyMemory<byte>> Fragments
    {
        get
        {
            Load();
            return _fragments!;
        }
    }

    /// <summary>First fragment of each frame as found by a codestream scan (no offset table), kept so that the scan
    /// runs once per dataset.</summary>
    internal int[]? ScannedFrameStarts { get; set; }

    /// <summary>Number of fragments, offset table not counted; never loads them.</summary>
    public int FragmentCount => _fragments?.Count ?? FragmentLengths!.Count - 1;

    /// <summary>Length of fragment <paramref name="index"/>; never loads it.</summary>
    public long FragmentLength(int index) => _fragments is { } f ? f[index].Length : FragmentLengths![index + 1];

    /// <summary>Fragment <paramref name="index"/>, or its first <paramref name="count"/> bytes: from the file while the
    /// fragments are not loaded, so a frame read touches only its own fragments.</summary>
    public ReadOnlyMemory<byte> ReadFragment(int index, int count = int.MaxValue)
    {
        if (_fragments is { } f)
        {
            return f[index][..Math.Min(count, f[index].Length)];
        }
        return ReadItem(index + 1, count);
    }

    private ReadOnlyMemory<byte> ReadItem(int item, int count = int.MaxValue)
    {
        if (_path is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        using var fs = Open();
        return ReadItem(fs, item, count);
    }

    private FileStream Open() => new(_path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);

    private ReadOnlyMemory<byte> ReadItem(FileStream fs, int item, int count)
    {
        var offset = _itemOffsets![item];
        var length = Math.Min(FragmentLengths![item], count);
        if (length > _maxLength || length > Array.MaxLength)
        {
            throw new DicomLimitException($"value length {length} at tag {Tag} (offset {offset}) exceeds the limit of {Math.Min(_maxLength, Array.MaxLength)} bytes");
        }
        if (offset + length > fs.Length)
        {
            throw new DicomFormatException("file shrank since it was read", offset, Tag);
        }
        fs.Seek(offset, SeekOrigin.Begin);
        var b = GC.AllocateUninitializedArray<byte>((int)length);
        fs.ReadExactly(b);
        return b;
    }

    private void Load()
    {
        if (_fragments is not null)
        {
            return;
        }
        using var fs = Open();
        _offsetTable ??= ReadItem(fs, 0, int.MaxValue);
        var list = new List<ReadOnlyMemory<byte>>(FragmentLengths!.Count - 1);
        for (var i = 1; i < FragmentLengths.Count; i++)
        {
            list.Add(ReadItem(fs, i, int.MaxValue));
        }
        _fragments = list;
    }

    public override string ToString() => $"{Tag} {VRInfo.Name(VR)} encapsulated";
}
