namespace RemoteDx.Dicom;

/// <summary>A sequence of items (SQ). PS3.5 7.5.</summary>
public sealed class DicomSequence : DicomElement
{
    public DicomSequence(Tag tag, IEnumerable<Dataset>? items = null) : base(tag, VR.SQ, ReadOnlyMemory<byte>.Empty)
    {
        Items = items?.ToList() ?? [];
        UndefinedLength = true;
    }

    public List<Dataset> Items { get; }

    /// <summary>Whether the sequence was (and will be) encoded with undefined length and a delimiter.</summary>
    public bool UndefinedLength { get; set; }

    public override string ToString() => $"{Tag} SQ ({Items.Count} items)";
}
