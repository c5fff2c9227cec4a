using System.Buffers.Binary;

namespace RemoteDx.Dicom.Imaging;

/// <summary>A LUT given by a LUT Descriptor and LUT Data, as the Modality LUT, VOI LUT and Palette Color LUT share
/// them. PS3.3 C.11.1.1.1 (Modality), C.11.2.1.1 (VOI), C.7.6.3.1.5 (Palette Color).</summary>
public sealed class LookupTable
{
    private LookupTable(int firstInput, int bitsPerEntry, int[] entries)
    {
        FirstInput = firstInput;
        BitsPerEntry = bitsPerEntry;
        Entries = entries;
    }

    /// <summary>The input value mapped to the first entry (descriptor value 2).</summary>
    public int FirstInput { get; }

    /// <summary>Bits per entry (descriptor value 3).</summary>
    public int BitsPerEntry { get; }

    public int[] Entries { get; }

    /// <summary>Looks an input value up; values below the first input map to the first entry and values past the
    /// end to the last. PS3.3 C.11.1.1.1.</summary>
    public int Lookup(double input)
    {
        var i = Math.Floor(input) - FirstInput;
        return Entries[i <= 0 ? 0 : i >= Entries.Length - 1 ? Entries.Length - 1 : (int)i];
    }

    public (int Min, int Max) EntryRange()
    {
        int min = int.MaxValue, max = int.MinValue;
        foreach (var e in Entries)
        {
            min = Math.Min(min, e);
            max = Math.Max(max, e);
        }
        return (min, max);
    }

    /// <summary>Reads the three descriptor values: entries (0 means 65536), first input value mapped and bits per
    /// entry. The second value is US or SS; <paramref name="firstIsSigned"/> says how to read it when the VR does not
    /// (US, or UN in implicit VR without a dictionary). PS3.3 C.11.1.1.1.</summary>
    public static (int Entries, int FirstInput, int BitsPerEntry) ReadDescriptor(Dataset item, Tag descriptorTag, bool firstIsSigned)
    {
        var e = item[descriptorTag] ?? throw new DicomFormatException("LUT Descriptor is missing", tag: descriptorTag);
        if (e is DicomSequence || e.VR is not (VR.US or VR.SS or VR.OW or VR.UN or VR.OB))
        {
            throw new DicomFormatException($"LUT Descriptor has VR {VRInfo.Name(e.VR)}, not US or SS", tag: descriptorTag);
        }
        var span = e.Buffer.Span;
        if (span.Length < 6)
        {
            throw new DicomFormatException($"LUT Descriptor holds {span.Length} bytes, not three 16-bit values", tag: descriptorTag);
        }
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span);
        var first = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (bits is < 1 or > 16)
        {
            throw new DicomFormatException($"LUT Descriptor says {bits} bits per entry, not 1..16", tag: descriptorTag);
        }
        return (count == 0 ? 65536 : count, e.VR == VR.SS || firstIsSigned ? (short)first : first, bits);
    }

    /// <summary>Parses a descriptor and its LUT Data. Data is read as 16-bit words (US, OW, or SS for signed
    /// entries) when it holds two bytes per entry, else as packed bytes when the descriptor says 8 bits.</summary>
    public static LookupTable Parse(Dataset item, Tag descriptorTag, Tag dataTag, bool firstIsSigned)
    {
        var (count, first, bits) = ReadDescriptor(item, descriptorTag, firstIsSigned);
        var data = item[dataTag] ?? throw new DicomFormatException("LUT Data is missing", tag: dataTag);
        return new LookupTable(first, bits, ReadEntries(data, count, bits, dataTag));
    }

    public static LookupTable FromEntries(int firstInput, int bitsPerEntry, int[] entries) => new(firstInput, bitsPerEntry, entries);

    private static int[] ReadEntries(DicomElement data, int count, int bits, Tag dataTag)
    {
        var span = data.Buffer.Span;
        var entries = new int[count];
        if (span.Length >= 2 * count)
        {
            var signed = data.VR == VR.SS;
            for (var i = 0; i < count; i++)
            {
                var w = BinaryPrimitives.ReadUInt16LittleEndian(span[(2 * i)..]);
                entries[i] = signed ? (short)w : w;
            }
            return entries;
        }
        if (bits <= 8 && span.Length >= count)
        {
            for (var i = 0; i < count; i++)
            {
                entries[i] = span[i];
            }
            return entries;
        }
        throw new DicomFormatException($"LUT Data holds {span.Length} bytes but the descriptor says {count} entries of {bits} bits", tag: dataTag);
    }
}
