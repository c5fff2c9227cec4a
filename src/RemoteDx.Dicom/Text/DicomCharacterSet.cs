using System.Text;

namespace RemoteDx.Dicom.Text;

/// <summary>STUB — Specific Character Set (0008,0005) decoding. PS3.5 6.1.</summary>
public sealed class DicomCharacterSet
{
    public static DicomCharacterSet Default { get; } = new(["ISO_IR 6"]);

    private DicomCharacterSet(IReadOnlyList<string> terms) => Terms = terms;

    public IReadOnlyList<string> Terms { get; }

    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms) => new(terms);

    public string Decode(ReadOnlySpan<byte> bytes, VR vr) => Encoding.Latin1.GetString(bytes);

    public byte[] Encode(string value, VR vr) => Encoding.Latin1.GetBytes(value);
}
