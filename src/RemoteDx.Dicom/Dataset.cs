using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using RemoteDx.Dicom.Text;

namespace RemoteDx.Dicom;

/// <summary>A DICOM dataset or sequence item: elements kept in ascending tag order. PS3.5 7.</summary>
public sealed class Dataset : IEnumerable<DicomElement>
{
    private readonly SortedList<uint, DicomElement> _elements = new();

    public Dataset(Dataset? parent = null)
    {
        Parent = parent;
    }

    /// <summary>The dataset holding the sequence this item belongs to; items inherit its character set.</summary>
    public Dataset? Parent { get; internal set; }

    /// <summary>For a sequence item: encoded with undefined length and an item delimiter.</summary>
    public bool UndefinedLength { get; set; }

    public int Count => _elements.Count;

    /// <summary>Specific Character Set in force for this dataset: its own (0008,0005), else its parent's. Parsed once
    /// and cached until (0008,0005) changes: every string read goes through here.</summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (_charset is { } cached)
            {
                return cached;
            }
            if (_elements.TryGetValue(Tag.SpecificCharacterSet.Value, out var e))
            {
                var raw = Encoding.ASCII.GetString(e.Buffer.Span);
                // Lenient like DCMTK: a misspelled or unknown term falls back rather than making every string unreadable.
                return _charset = DicomCharacterSet.FromTermsLenient(raw.Split('\\').Select(t => t.Trim()).ToArray(), out _);
            }
            return Parent?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    private DicomCharacterSet? _charset;

    public bool Contains(Tag tag) => _elements.ContainsKey(tag.Value);

    public DicomElement? this[Tag tag] => _elements.TryGetValue(tag.Value, out var e) ? e : null;

    public bool TryGet(Tag tag, out DicomElement element)
    {
        if (_elements.TryGetValue(tag.Value, out var e))
        {
            element = e;
            return true;
        }
        element = null!;
        return false;
    }

    /// <summary>Adds or replaces an element; sequence items get this dataset as parent.</summary>
    public void Set(DicomElement element)
    {
        if (element is DicomSequence sq)
        {
            foreach (var item in sq.Items)
            {
                item.Parent = this;
            }
        }
        _elements[element.Tag.Value] = element;
        if (element.Tag == Tag.SpecificCharacterSet)
        {
            _charset = null;
        }
    }

    public bool Remove(Tag tag)
    {
        if (tag == Tag.SpecificCharacterSet)
        {
            _charset = null;
        }
        return _elements.Remove(tag.Value);
    }

    public void SetString(Tag tag, VR vr, string value)
    {
        var bytes = VRInfo.UsesCharacterSet(vr) ? CharacterSet.Encode(value, vr) : Encoding.ASCII.GetBytes(value);
        Set(new DicomElement(tag, vr, Pad(bytes, vr)));
    }

    public void SetString(Tag tag, string value) => SetString(tag, DicomDictionary.DefaultVR(tag), value);

    public void SetUInt16(Tag tag, params ushort[] values)
    {
        var b = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i * 2), values[i]);
        }
        Set(new DicomElement(tag, VR.US, b));
    }

    public void SetUInt32(Tag tag, params uint[] values)
    {
        var b = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i * 4), values[i]);
        }
        Set(new DicomElement(tag, VR.UL, b));
    }

    public void SetBytes(Tag tag, VR vr, byte[] value) => Set(new DicomElement(tag, vr, Pad(value, vr)));

    public DicomSequence? GetSequence(Tag tag) => this[tag] as DicomSequence;

    /// <summary>The whole value as text (values separated by backslash), without trailing padding; null when absent
    /// or binary values as decimal text.</summary>
    public string? GetString(Tag tag)
    {
        var e = this[tag];
        if (e is null || e is DicomSequence || e is DicomFragments)
        {
            return null;
        }
        if (VRInfo.IsString(e.VR))
        {
            return TrimPadding(e.DecodeString(CharacterSet), e.VR);
        }
        if (e.VR == VR.UN || e.VR == VR.OB)
        {
            return TrimPadding(Encoding.ASCII.GetString(e.Buffer.Span), VR.LO);
        }
        if (e.VR == VR.AT)
        {
            var s = e.Buffer.Span;
            var parts = new List<string>();
            for (var i = 0; i + 4 <= s.Length; i += 4)
            {
                parts.Add(new Tag(BinaryPrimitives.ReadUInt16LittleEndian(s[i..]), BinaryPrimitives.ReadUInt16LittleEndian(s[(i + 2)..])).ToString());
            }
            return string.Join('\\', parts);
        }
        return string.Join('\\', e.BinaryValues().Select(DicomElement.FormatNumber));
    }

    public string[] GetStrings(Tag tag)
    {
        var s = GetString(tag);
        if (s is null)
        {
            return [];
        }
        var e = this[tag]!;
        return VRInfo.IsMultiValuedString(e.VR) || !VRInfo.IsString(e.VR) ? s.Split('\\') : [s];
    }

    /// <summary>Numeric values of the element whether binary (US, SL, FD ...) or text (IS, DS).</summary>
    public double[] GetDoubles(Tag tag)
    {
        var e = this[tag];
        if (e is null || e is DicomSequence || e is DicomFragments)
        {
            return [];
        }
        if (VRInfo.IsString(e.VR) || e.VR == VR.UN)
        {
            var parts = (GetString(tag) ?? "").Split('\\');
            var result = new List<double>(parts.Length);
            foreach (var p in parts)
            {
                if (double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    result.Add(d);
                }
            }
            return [.. result];
        }
        return e.BinaryValues();
    }

    public double? GetDouble(Tag tag, int index = 0)
    {
        var v = GetDoubles(tag);
        return index < v.Length ? v[index] : null;
    }

    public int? GetInt(Tag tag, int index = 0)
    {
        var d = GetDouble(tag, index);
        return d is { } x && x >= int.MinValue && x <= int.MaxValue ? (int)x : null;
    }

    /// <summary>Tag of a private element given its creator, per PS3.5 7.8.1; null when the block is not reserved.</summary>
    public Tag? FindPrivateTag(ushort group, string creator, byte elementOffset)
    {
        for (ushort block = 0x10; block <= 0xFF; block++)
        {
            var creatorTag = new Tag(group, block);
            if (this[creatorTag] is { } e && string.Equals(TrimPadding(e.DecodeString(CharacterSet), VR.LO), creator, StringComparison.Ordinal))
            {
                return new Tag(group, (ushort)((block << 8) | elementOffset));
            }
        }
        return null;
    }

    /// <summary>Reserves (or finds) a private block for <paramref name="creator"/> and returns the element's tag.</summary>
    public Tag ReservePrivateTag(ushort group, string creator, byte elementOffset)
    {
        if (FindPrivateTag(group, creator, elementOffset) is { } found)
        {
            return found;
        }
        for (ushort block = 0x10; block <= 0xFF; block++)
        {
            var creatorTag = new Tag(group, block);
            if (!Contains(creatorTag))
            {
                SetString(creatorTag, VR.LO, creator);
                return new Tag(group, (ushort)((block << 8) | elementOffset));
            }
        }
        throw new DicomException($"no free private block in group {group:X4}");
    }

    /// <summary>The private creator of a private data element, if its block is reserved.</summary>
    public string? PrivateCreatorOf(Tag tag)
    {
        if (!tag.IsPrivate || tag.Element < 0x1000)
        {
            return null;
        }
        var creator = this[new Tag(tag.Group, (ushort)(tag.Element >> 8))];
        return creator is null ? null : TrimPadding(creator.DecodeString(CharacterSet), VR.LO);
    }

    public IEnumerator<DicomElement> GetEnumerator() => _elements.Values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    internal static string TrimPadding(string s, VR vr) => vr switch
    {
        VR.UI => s.TrimEnd('\0', ' '),
        VR.UT or VR.ST or VR.LT or VR.UR => s.TrimEnd(' ', '\0'),
        _ => s.TrimEnd(' ', '\0'),
    };

    internal static byte[] Pad(byte[] value, VR vr)
    {
        if ((value.Length & 1) == 0)
        {
            return value;
        }
        var padded = new byte[value.Length + 1];
        value.CopyTo(padded, 0);
        padded[^1] = VRInfo.PaddingByte(vr);
        return padded;
    }
}
