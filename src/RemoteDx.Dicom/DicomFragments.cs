namespace RemoteDx.Dicom;

/// <summary>Encapsulated pixel data: a Basic Offset Table item followed by fragments. PS3.5 A.4.</summary>
public sealed class DicomFragments : DicomElement
{
    public DicomFragments(Tag tag, VR vr, ReadOnlyMemory<byte> offsetTable, IEnumerable<ReadOnlyMemory<byte>> fragments)
        : base(tag, vr, ReadOnlyMemory<byte>.Empty)
    {
        OffsetTable = offsetTable;
        Fragments = fragments.ToList();
        Length = -1;
    }

    /// <summary>The Basic Offset Table item's value (may be empty).</summary>
    public ReadOnlyMemory<byte> OffsetTable { get; set; }

    public List<ReadOnlyMemory<byte>> Fragments { get; }

    public override string ToString() => $"{Tag} {VRInfo.Name(VR)} encapsulated ({Fragments.Count} fragments)";
}
