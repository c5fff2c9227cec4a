// PS3.10 7.1 File Meta Information: the header the SCP writes in front of a received data set, and what the SCU reads
// to send a file without loading its pixel data
using System.Buffers.Binary;
using System.Text;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Dicom.Network;

/// <summary>SOP class/instance (from the data set, as the receiver checks them) and transfer syntax of a file, and
/// where its data set starts, so the data set bytes can be streamed as they are. <see cref="Encode"/> is the one writer
/// of the header in front of a received data set.</summary>
public sealed record Part10Header(string SopClassUid, string SopInstanceUid, TransferSyntax TransferSyntax, long DatasetOffset, long DatasetLength)
{
    /// <summary>The 128-byte preamble, "DICM" and the File Meta Information (PS3.10 7.1, explicit VR little endian,
    /// (0002,0000) group length first) for a data set in <paramref name="syntax"/> that follows at once: the data set
    /// starts at the returned length.</summary>
    public static byte[] Encode(string sopClassUid, string sopInstanceUid, TransferSyntax syntax, string? sourceAe)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        var file = new DicomFile(new Dataset(), syntax);
        file.Dataset.SetString(Tag.SOPClassUID, VR.UI, sopClassUid);
        file.Dataset.SetString(Tag.SOPInstanceUID, VR.UI, sopInstanceUid);
        file.BuildFileMetaInformation(sourceAe);
        // The meta group names the data set's syntax; the (empty) data set is written as explicit VR little endian so
        // that a deflated syntax adds no deflate stream of its own.
        file.Dataset = new Dataset();
        file.TransferSyntax = TransferSyntax.ExplicitVRLittleEndian;
        using var ms = new MemoryStream(256);
        DicomWriter.WriteFile(ms, file);
        return ms.ToArray();
    }

    internal static Part10Header Read(string path)
    {
        var file = DicomReader.ReadFile(path, new DicomReadOptions { StopBeforePixelData = true });
        var sopClass = file.Dataset.GetString(Tag.SOPClassUID) ?? file.FileMetaInformation.GetString(Tag.MediaStorageSOPClassUID);
        var sopInstance = file.Dataset.GetString(Tag.SOPInstanceUID) ?? file.FileMetaInformation.GetString(Tag.MediaStorageSOPInstanceUID);
        if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance))
        {
            throw new DicomFormatException($"{Path.GetFileName(path)} has no SOP Class UID or SOP Instance UID", -1, Tag.SOPClassUID);
        }
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var offset = FindDatasetOffset(fs);
        return new Part10Header(sopClass, sopInstance, file.TransferSyntax, offset, fs.Length - offset);
    }

    /// <summary>Skips the preamble and the group 0002 elements (always explicit VR little endian).</summary>
    private static long FindDatasetOffset(FileStream fs)
    {
        var preamble = new byte[132];
        var hasPreamble = fs.ReadAtLeast(preamble, 132, throwOnEndOfStream: false) == 132 && Encoding.ASCII.GetString(preamble, 128, 4) == "DICM";
        fs.Position = hasPreamble ? 132 : 0;
        var header = new byte[12];
        while (true)
        {
            var start = fs.Position;
            if (fs.ReadAtLeast(header.AsSpan(0, 8), 8, throwOnEndOfStream: false) < 8 || BinaryPrimitives.ReadUInt16LittleEndian(header) != 0x0002)
            {
                return start;
            }
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
            if (fs.Position + length > fs.Length)
            {
                throw new DicomFormatException($"meta element (0002,{BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2)):X4}) length {length} overruns the file", start);
            }
            fs.Seek(length, SeekOrigin.Current);
        }
    }
}
