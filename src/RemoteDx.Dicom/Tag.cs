using System.Globalization;

namespace RemoteDx.Dicom;

/// <summary>A data element tag (group, element). PS3.5 7.1.</summary>
public readonly record struct Tag(ushort Group, ushort Element) : IComparable<Tag>
{
    public Tag(uint value) : this((ushort)(value >> 16), (ushort)value) { }

    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Odd groups are private (PS3.5 7.8), except groups 0001, 0003, 0005, 0007 and FFFF which are invalid.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0008 && Group != 0xFFFF;

    /// <summary>(gggg,0010)-(gggg,00FF) in a private group reserve blocks. PS3.5 7.8.1.</summary>
    public bool IsPrivateCreator => IsPrivate && Element >= 0x0010 && Element <= 0x00FF;

    public bool IsGroupLength => Element == 0x0000;

    public int CompareTo(Tag other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");

    public static Tag Parse(string text)
    {
        var s = text.Trim().Trim('(', ')').Replace(",", "", StringComparison.Ordinal);
        if (s.Length != 8 || !uint.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
        {
            throw new FormatException($"not a DICOM tag: '{text}'");
        }
        return new Tag(v);
    }

    public static bool operator <(Tag a, Tag b) => a.Value < b.Value;
    public static bool operator >(Tag a, Tag b) => a.Value > b.Value;
    public static bool operator <=(Tag a, Tag b) => a.Value <= b.Value;
    public static bool operator >=(Tag a, Tag b) => a.Value >= b.Value;

    // Tags the reader and writer need by name; the full dictionary is DicomDictionary.
    public static readonly Tag FileMetaInformationGroupLength = new(0x0002, 0x0000);
    public static readonly Tag FileMetaInformationVersion = new(0x0002, 0x0001);
    public static readonly Tag MediaStorageSOPClassUID = new(0x0002, 0x0002);
    public static readonly Tag MediaStorageSOPInstanceUID = new(0x0002, 0x0003);
    public static readonly Tag TransferSyntaxUID = new(0x0002, 0x0010);
    public static readonly Tag ImplementationClassUID = new(0x0002, 0x0012);
    public static readonly Tag ImplementationVersionName = new(0x0002, 0x0013);
    public static readonly Tag SourceApplicationEntityTitle = new(0x0002, 0x0016);
    public static readonly Tag SpecificCharacterSet = new(0x0008, 0x0005);
    public static readonly Tag ImageType = new(0x0008, 0x0008);
    public static readonly Tag SOPClassUID = new(0x0008, 0x0016);
    public static readonly Tag SOPInstanceUID = new(0x0008, 0x0018);
    public static readonly Tag StudyDate = new(0x0008, 0x0020);
    public static readonly Tag Modality = new(0x0008, 0x0060);
    public static readonly Tag PatientName = new(0x0010, 0x0010);
    public static readonly Tag PatientID = new(0x0010, 0x0020);
    public static readonly Tag BodyPartExamined = new(0x0018, 0x0015);
    public static readonly Tag ViewPosition = new(0x0018, 0x5101);
    public static readonly Tag StudyInstanceUID = new(0x0020, 0x000D);
    public static readonly Tag SeriesInstanceUID = new(0x0020, 0x000E);
    public static readonly Tag InstanceNumber = new(0x0020, 0x0013);
    public static readonly Tag SamplesPerPixel = new(0x0028, 0x0002);
    public static readonly Tag PhotometricInterpretation = new(0x0028, 0x0004);
    public static readonly Tag PlanarConfiguration = new(0x0028, 0x0006);
    public static readonly Tag NumberOfFrames = new(0x0028, 0x0008);
    public static readonly Tag Rows = new(0x0028, 0x0010);
    public static readonly Tag Columns = new(0x0028, 0x0011);
    public static readonly Tag PixelSpacing = new(0x0028, 0x0030);
    public static readonly Tag BitsAllocated = new(0x0028, 0x0100);
    public static readonly Tag BitsStored = new(0x0028, 0x0101);
    public static readonly Tag HighBit = new(0x0028, 0x0102);
    public static readonly Tag PixelRepresentation = new(0x0028, 0x0103);
    public static readonly Tag WindowCenter = new(0x0028, 0x1050);
    public static readonly Tag WindowWidth = new(0x0028, 0x1051);
    public static readonly Tag RescaleIntercept = new(0x0028, 0x1052);
    public static readonly Tag RescaleSlope = new(0x0028, 0x1053);
    public static readonly Tag RescaleType = new(0x0028, 0x1054);
    public static readonly Tag VOILUTFunction = new(0x0028, 0x1056);
    public static readonly Tag RedPaletteColorLookupTableDescriptor = new(0x0028, 0x1101);
    public static readonly Tag GreenPaletteColorLookupTableDescriptor = new(0x0028, 0x1102);
    public static readonly Tag BluePaletteColorLookupTableDescriptor = new(0x0028, 0x1103);
    public static readonly Tag RedPaletteColorLookupTableData = new(0x0028, 0x1201);
    public static readonly Tag GreenPaletteColorLookupTableData = new(0x0028, 0x1202);
    public static readonly Tag BluePaletteColorLookupTableData = new(0x0028, 0x1203);
    public static readonly Tag ModalityLUTSequence = new(0x0028, 0x3000);
    public static readonly Tag LUTDescriptor = new(0x0028, 0x3002);
    public static readonly Tag LUTExplanation = new(0x0028, 0x3003);
    public static readonly Tag ModalityLUTType = new(0x0028, 0x3004);
    public static readonly Tag LUTData = new(0x0028, 0x3006);
    public static readonly Tag VOILUTSequence = new(0x0028, 0x3010);
    public static readonly Tag ExtendedOffsetTable = new(0x7FE0, 0x0001);
    public static readonly Tag ExtendedOffsetTableLengths = new(0x7FE0, 0x0002);
    public static readonly Tag FloatPixelData = new(0x7FE0, 0x0008);
    public static readonly Tag DoubleFloatPixelData = new(0x7FE0, 0x0009);
    public static readonly Tag PixelData = new(0x7FE0, 0x0010);
    public static readonly Tag Item = new(0xFFFE, 0xE000);
    public static readonly Tag ItemDelimitationItem = new(0xFFFE, 0xE00D);
    public static readonly Tag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);
}
