namespace RemoteDx.Dicom;

/// <summary>Encapsulated pixel data: a Basic Offset Table item followed by fragments. PS3.5 A.4.</summary>
public sealed class DicomFragments : DicomElement
{
    private ReadOnlyMemory<byte> _offsetTable;
    private List<ReadOnlyMemory<byte>>? _fragments;
    private Func<(ReadOnlyMemory<byte> OffsetTable, List<ReadOnlyMemory<byte>> Fragments)>? _loader;

    public DicomFragments(Tag tag, VR vr, ReadOnlyMemory<byte> offsetTable, IEnumerable<ReadOnlyMemory<byte>> fragments)
        : base(tag, vr, ReadOnlyMemory<byte>.Empty)
    {
        _offsetTable = offsetTable;
        _fragments = fragments.ToList();
        Length = -1;
    }

    /// <summary>Fragments read from the source only when first used (lazy pixel data); the reader has already
    /// checked the item structure and recorded each fragment's size.</summary>
    internal DicomFragments(Tag tag, VR vr, IReadOnlyList<long> fragmentLengths,
        Func<(ReadOnlyMemory<byte>, List<ReadOnlyMemory<byte>>)> loader)
        : base(tag, vr, ReadOnlyMemory<byte>.Empty)
    {
        FragmentLengths = fragmentLengths;
        _loader = loader;
        Length = -1;
    }

    /// <summary>Item lengths recorded by a lazy read (offset table first), or null.</summary>
    public IReadOnlyList<long>? FragmentLengths { get; }

    /// <summary>The Basic Offset Table item's value (may be empty).</summary>
    public ReadOnlyMemory<byte> OffsetTable
    {
        get
        {
            Load();
            return _offsetTable;
        }
        set
        {
            Load();
            _offsetTable = value;
        }
    }

    public List<ReadOnlyMemory<byte>> Fragments
    {
        get
        {
            Load();
            return _fragments!;
        }
    }

    private void Load()
    {
        if (_loader is { } load)
        {
            (_offsetTable, _fragments) = load();
            _loader = null;
        }
    }

    public override string ToString() => $"{Tag} {VRInfo.Name(VR)} encapsulated";
}
