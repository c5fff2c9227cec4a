using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RemoteDx.Dicom.Tests.Malformed;

/// <summary>Writes DICOM bytes by hand, including the ones no writer should produce: lengths that lie, headers with no
/// value, nesting that never ends. Elements go out in the order they are added, unchecked.</summary>
internal sealed class DicomBytes
{
    public const string ImplicitLE = "1.2.840.10008.1.2";
    public const string ExplicitLE = "1.2.840.10008.1.2.1";
    public const string DeflatedLE = "1.2.840.10008.1.2.1.99";
    public const string JpegBaseline = "1.2.840.10008.1.2.4.50";

    private static readonly HashSet<string> LongLengthVRs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    private readonly MemoryStream _bytes = new();

    public DicomBytes(bool explicitVR = true) => ExplicitVR = explicitVR;

    public bool ExplicitVR { get; set; }

    public long Length => _bytes.Length;

    /// <summary>Preamble, "DICM" and a File Meta Information group naming <paramref name="transferSyntax"/>; the
    /// dataset that follows is written explicit or implicit as the syntax says.</summary>
    public static DicomBytes Part10(string transferSyntax)
    {
        var b = new DicomBytes(explicitVR: true);
        b.Raw(new byte[128]).Raw("DICM"u8);
        b.Element(0x0002, 0x0001, "OB", [0x00, 0x01]);
        b.Element(0x0002, 0x0002, "UI", Uid("1.2.840.10008.5.1.4.1.1.7"));
        b.Element(0x0002, 0x0003, "UI", Uid("1.2.3.4"));
        b.Element(0x0002, 0x0010, "UI", Uid(transferSyntax));
        b.ExplicitVR = transferSyntax != ImplicitLE;
        return b;
    }

    public static byte[] Uid(string uid) => Even(Encoding.ASCII.GetBytes(uid), 0);

    public static byte[] Text(string s) => Even(Encoding.ASCII.GetBytes(s), (byte)' ');

    public static byte[] US(params ushort[] values)
    {
        var b = new byte[2 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), values[i]);
        }
        return b;
    }

    public static byte[] UL(params uint[] values)
    {
        var b = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4 * i), values[i]);
        }
        return b;
    }

    public DicomBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public DicomBytes Tag(ushort group, ushort element)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(b, group);
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], element);
        return Raw(b);
    }

    public DicomBytes UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Raw(b);
    }

    /// <summary>Tag, VR (explicit only) and a length that may or may not match what follows.</summary>
    public DicomBytes Header(ushort group, ushort element, string vr, uint length)
    {
        Tag(group, element);
        if (!ExplicitVR)
        {
            return UInt32(length);
        }
        Raw(Encoding.ASCII.GetBytes(vr));
        if (LongLengthVRs.Contains(vr))
        {
            return Raw([0, 0]).UInt32(length);
        }
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, checked((ushort)length));
        return Raw(b);
    }

    public DicomBytes Element(ushort group, ushort element, string vr, byte[] value) =>
        Header(group, element, vr, (uint)value.Length).Raw(value);

    public DicomBytes Item(uint length) => Tag(0xFFFE, 0xE000).UInt32(length);

    public DicomBytes ItemDelimiter() => Tag(0xFFFE, 0xE00D).UInt32(0);

    public DicomBytes SequenceDelimiter() => Tag(0xFFFE, 0xE0DD).UInt32(0);

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>Raw deflate (RFC 1951) of <paramref name="data"/>, as PS3.5 A.5 puts after the meta group.</summary>
    public static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(data);
        }
        return ms.ToArray();
    }

    private static byte[] Even(byte[] b, byte pad) => b.Length % 2 == 0 ? b : [.. b, pad];
}
