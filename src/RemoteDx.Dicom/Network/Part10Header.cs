// PS3.10 7.1 File Meta Information: what the SCU needs to send a file without parsing its data set
using System.Buffers.Binary;
using System.Text;

namespace RemoteDx.Dicom.Network;

/// <summary>SOP class/instance and transfer syntax from a Part 10 file's meta group, and where the data set starts,
/// so the data set bytes can be streamed as they are.</summary>
internal sealed record Part10Header(string SopClassUid, string SopInstanceUid, TransferSyntax TransferSyntax, long DatasetOffset, long DatasetLength)
{
    public static Part10Header Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var preamble = new byte[132];
        if (fs.ReadAtLeast(preamble, 132, throwOnEndOfStream: false) < 132 || Encoding.ASCII.GetString(preamble, 128, 4) != "DICM")
        {
            throw new DicomFormatException($"{Path.GetFileName(path)} is not a Part 10 file (no DICM marker)", 128);
        }
        string? sopClass = null, sopInstance = null, ts = null;
        var header = new byte[12];
        while (true)
        {
            var start = fs.Position;
            if (fs.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8)
            {
                break;
            }
            var group = BinaryPrimitives.ReadUInt16LittleEndian(header);
            if (group != 0x0002)
            {
                fs.Position = start;
                break;
            }
            var element = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2));
            var vr = Encoding.ASCII.GetString(header, 4, 2);
            long length;
            if (vr is "OB" or "OW" or "OF" or "SQ" or "UT" or "UN" or "UC" or "UR" or "OD" or "OL" or "OV" or "SV" or "UV")
            {
                fs.ReadExactly(header.AsSpan(8, 4));
                length = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            }
            else
            {
                length = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            }
            if (length > 1 << 20 || fs.Position + length > fs.Length)
            {
                throw new DicomFormatException($"meta element (0002,{element:X4}) length {length} overruns the file", start);
            }
            if (element is 0x0002 or 0x0003 or 0x0010)
            {
                var value = new byte[length];
                fs.ReadExactly(value);
                var s = Encoding.ASCII.GetString(value).Trim(' ', '\0');
                switch (element)
                {
                    case 0x0002: sopClass = s; break;
                    case 0x0003: sopInstance = s; break;
                    default: ts = s; break;
                }
            }
            else
            {
                fs.Seek(length, SeekOrigin.Current);
            }
        }
        if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance) || string.IsNullOrEmpty(ts))
        {
            throw new DicomFormatException($"{Path.GetFileName(path)}: File Meta Information lacks Media Storage SOP Class/Instance UID or Transfer Syntax UID", 132);
        }
        return new Part10Header(sopClass, sopInstance, TransferSyntax.Lookup(ts), fs.Position, fs.Length - fs.Position);
    }
}
