using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx.FuzzPdu;

/// <summary>A small starting corpus: one valid example of each PDU type and a whole C-ECHO exchange.</summary>
internal static class Seeds
{
    public static void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var rq = PduWriter.Encode(new AAssociateRq(1, "REMOTEDX", "FUZZ", "1.2.840.10008.3.1.1.1",
            [
                new PresentationContextItem(1, DicomUids.Verification, ["1.2.840.10008.1.2"]),
                new PresentationContextItem(3, "1.2.840.10008.5.1.4.1.1.2", ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2.5"]),
            ],
            new UserInformation
            {
                MaximumLength = 16384,
                ImplementationClassUid = "1.2.3.4",
                ImplementationVersionName = "FUZZ",
                AsynchronousOperationsWindow = (1, 1),
                RoleSelections = [new RoleSelectionItem("1.2.840.10008.5.1.4.1.1.2", true, false)],
                UserIdentity = new UserIdentityItem(2, true, "user"u8.ToArray(), "pw"u8.ToArray()),
            }));
        var ac = PduWriter.Encode(new AAssociateAc(1, "REMOTEDX", "FUZZ", "1.2.840.10008.3.1.1.1",
            [new PresentationContextResultItem(1, PresentationContextResult.Acceptance, "1.2.840.10008.1.2")],
            new UserInformation { MaximumLength = 16384 }));
        var echo = DimseCodec.Encode(new DimseCommand { CommandField = DimseCommandField.CEchoRq, MessageId = 1, AffectedSopClassUid = DicomUids.Verification });
        var pdata = new byte[PduWriter.PDataOverhead + echo.Length];
        PduWriter.WritePDataHeader(pdata, 1, true, true, echo.Length);
        echo.CopyTo(pdata, PduWriter.PDataOverhead);
        byte[] release = [0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0];
        File.WriteAllBytes(Path.Combine(dir, "associate-rq"), rq);
        File.WriteAllBytes(Path.Combine(dir, "associate-ac"), ac);
        File.WriteAllBytes(Path.Combine(dir, "associate-rj"), [0x03, 0, 0, 0, 0, 4, 0, 1, 1, 7]);
        File.WriteAllBytes(Path.Combine(dir, "p-data-echo"), pdata);
        File.WriteAllBytes(Path.Combine(dir, "release-rq"), release);
        File.WriteAllBytes(Path.Combine(dir, "abort"), [0x07, 0, 0, 0, 0, 4, 0, 0, 2, 1]);
        File.WriteAllBytes(Path.Combine(dir, "session"), [.. rq, .. pdata, .. release]);
    }
}
