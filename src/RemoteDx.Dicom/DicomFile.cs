using RemoteDx.Dicom.IO;

namespace RemoteDx.Dicom;

/// <summary>A DICOM Part 10 file: preamble, File Meta Information and the dataset. PS3.10 7.</summary>
public sealed class DicomFile
{
    /// <summary>Implementation Class UID written into File Meta Information (UUID-derived root, 2.25).</summary>
    public const string ImplementationClassUid = "2.25.163952187296423914739618237418732461029";

    public const string ImplementationVersionName = "REMOTEDX_010";

    public DicomFile()
    {
    }

    public DicomFile(Dataset dataset, TransferSyntax syntax)
    {
        Dataset = dataset;
        TransferSyntax = syntax;
    }

    /// <summary>The 128-byte preamble as read, or null when the source had none (a writer emits zeros).</summary>
    public byte[]? Preamble { get; set; }

    public Dataset FileMetaInformation { get; set; } = new();

    public Dataset Dataset { get; set; } = new();

    public TransferSyntax TransferSyntax { get; set; } = TransferSyntax.ExplicitVRLittleEndian;

    public static DicomFile Open(string path, DicomReadOptions? options = null) => DicomReader.ReadFile(path, options);

    public void Save(string path, DicomWriteOptions? options = null)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
        DicomWriter.WriteFile(fs, this, options);
    }

    public byte[] ToBytes(DicomWriteOptions? options = null)
    {
        using var ms = new MemoryStream();
        DicomWriter.WriteFile(ms, this, options);
        return ms.ToArray();
    }

    /// <summary>Fills File Meta Information from the dataset (SOP class/instance, transfer syntax, implementation).
    /// PS3.10 7.1.</summary>
    public void BuildFileMetaInformation(string? sourceAet = null)
    {
        var meta = new Dataset();
        meta.SetBytes(Tag.FileMetaInformationVersion, VR.OB, [0x00, 0x01]);
        meta.SetString(Tag.MediaStorageSOPClassUID, VR.UI, Dataset.GetString(Tag.SOPClassUID) ?? "");
        meta.SetString(Tag.MediaStorageSOPInstanceUID, VR.UI, Dataset.GetString(Tag.SOPInstanceUID) ?? "");
        meta.SetString(Tag.TransferSyntaxUID, VR.UI, TransferSyntax.Uid);
        meta.SetString(Tag.ImplementationClassUID, VR.UI, ImplementationClassUid);
        meta.SetString(Tag.ImplementationVersionName, VR.SH, ImplementationVersionName);
        if (!string.IsNullOrEmpty(sourceAet))
        {
            meta.SetString(Tag.SourceApplicationEntityTitle, VR.AE, sourceAet);
        }
        FileMetaInformation = meta;
    }
}
