// PS3.8 9.3 PDU encoding: big-endian lengths, space-padded AE titles, items and sub-items
using System.Buffers.Binary;
using System.Text;

namespace RemoteDx.Dicom.Network;

/// <summary>Encodes PDUs. Association PDUs go through <see cref="Encode"/>; P-DATA-TF headers are written in place
/// in front of the fragment (<see cref="WritePDataHeader"/>) so the hot path copies nothing.</summary>
public static class PduWriter
{
    /// <summary>PDU header plus one PDV item header.</summary>
    public const int PDataOverhead = PduReader.HeaderLength + PduReader.PdvHeaderLength;

    public static byte[] Encode(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var body = new MemoryStream();
        switch (pdu)
        {
            case AAssociateRq rq:
                WriteFixed(body, rq.ProtocolVersion, rq.CalledAE, rq.CallingAE);
                WriteItem(body, PduItemType.ApplicationContext, Ascii(rq.ApplicationContextName));
                foreach (var pc in rq.PresentationContexts)
                {
                    var v = new MemoryStream();
                    v.Write([pc.Id, 0, 0, 0]);
                    WriteItem(v, PduItemType.AbstractSyntax, Ascii(pc.AbstractSyntax));
                    foreach (var ts in pc.TransferSyntaxes)
                    {
                        WriteItem(v, PduItemType.TransferSyntax, Ascii(ts));
                    }
                    WriteItem(body, PduItemType.PresentationContextRq, v.ToArray());
                }
                WriteItem(body, PduItemType.UserInformation, EncodeUserInformation(rq.UserInformation));
                break;
            case AAssociateAc ac:
                WriteFixed(body, ac.ProtocolVersion, ac.CalledAE, ac.CallingAE);
                WriteItem(body, PduItemType.ApplicationContext, Ascii(ac.ApplicationContextName));
                foreach (var pc in ac.PresentationContexts)
                {
                    var v = new MemoryStream();
                    v.Write([pc.Id, 0, (byte)pc.Result, 0]);
                    // PS3.8 9.3.3.2: the transfer syntax sub-item is present but not significant when not accepted.
                    WriteItem(v, PduItemType.TransferSyntax, Ascii(pc.TransferSyntax));
                    WriteItem(body, PduItemType.PresentationContextAc, v.ToArray());
                }
                WriteItem(body, PduItemType.UserInformation, EncodeUserInformation(ac.UserInformation));
                break;
            case AAssociateRj rj:
                body.Write([0, (byte)rj.Result, (byte)rj.Source, rj.Reason]);
                break;
            case AReleaseRq or AReleaseRp:
                body.Write([0, 0, 0, 0]);
                break;
            case AAbort ab:
                body.Write([0, 0, (byte)ab.Source, ab.Reason]);
                break;
            case PDataTf pd:
                var h = new byte[6];
                foreach (var pdv in pd.Pdvs)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(h, (uint)pdv.Data.Length + 2);
                    h[4] = pdv.PresentationContextId;
                    h[5] = pdv.MessageControlHeader;
                    body.Write(h);
                    body.Write(pdv.Data.Span);
                }
                break;
            default:
                throw new ArgumentException($"unknown PDU {pdu.GetType().Name}", nameof(pdu));
        }
        var result = new byte[PduReader.HeaderLength + body.Length];
        result[0] = (byte)pdu.Type;
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(2), (uint)body.Length);
        body.Position = 0;
        body.ReadExactly(result.AsSpan(PduReader.HeaderLength));
        return result;
    }

    /// <summary>Writes a P-DATA-TF header with one PDV into the first <see cref="PDataOverhead"/> bytes of
    /// <paramref name="destination"/>, for <paramref name="dataLength"/> fragment bytes that follow. PS3.8 9.3.5.</summary>
    public static void WritePDataHeader(Span<byte> destination, byte presentationContextId, bool command, bool last, int dataLength)
    {
        destination[0] = (byte)PduType.PDataTf;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)(dataLength + PduReader.PdvHeaderLength));
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], (uint)(dataLength + 2));
        destination[10] = presentationContextId;
        destination[11] = (byte)((command ? 1 : 0) | (last ? 2 : 0));
    }

    private static void WriteFixed(MemoryStream body, ushort version, string called, string calling)
    {
        Span<byte> fixedPart = stackalloc byte[68];
        fixedPart.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, version);
        WriteAe(fixedPart.Slice(4, 16), called);
        WriteAe(fixedPart.Slice(20, 16), calling);
        body.Write(fixedPart);
    }

    private static void WriteAe(Span<byte> dest, string ae)
    {
        dest.Fill((byte)' ');
        var bytes = Encoding.ASCII.GetBytes(ae);
        if (bytes.Length > 16)
        {
            throw new ArgumentException($"AE title '{ae}' is longer than 16 characters");
        }
        bytes.CopyTo(dest);
    }

    private static byte[] EncodeUserInformation(UserInformation ui)
    {
        var v = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(four, ui.MaximumLength);
        WriteItem(v, PduItemType.MaximumLength, four.ToArray());
        if (ui.ImplementationClassUid is { } uid)
        {
            WriteItem(v, PduItemType.ImplementationClassUid, Ascii(uid));
        }
        if (ui.AsynchronousOperationsWindow is { } w)
        {
            BinaryPrimitives.WriteUInt16BigEndian(four, w.Invoked);
            BinaryPrimitives.WriteUInt16BigEndian(four[2..], w.Performed);
            WriteItem(v, PduItemType.AsynchronousOperationsWindow, four.ToArray());
        }
        foreach (var role in ui.RoleSelections)
        {
            var uidBytes = Ascii(role.SopClassUid);
            var b = new byte[2 + uidBytes.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)uidBytes.Length);
            uidBytes.CopyTo(b, 2);
            b[^2] = role.ScuRole ? (byte)1 : (byte)0;
            b[^1] = role.ScpRole ? (byte)1 : (byte)0;
            WriteItem(v, PduItemType.RoleSelection, b);
        }
        if (ui.ImplementationVersionName is { } name)
        {
            WriteItem(v, PduItemType.ImplementationVersionName, Ascii(name));
        }
        foreach (var ext in ui.ExtendedNegotiations)
        {
            var uidBytes = Ascii(ext.SopClassUid);
            var b = new byte[2 + uidBytes.Length + ext.ApplicationInformation.Length];
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)uidBytes.Length);
            uidBytes.CopyTo(b, 2);
            ext.ApplicationInformation.CopyTo(b, 2 + uidBytes.Length);
            WriteItem(v, PduItemType.SopClassExtendedNegotiation, b);
        }
        foreach (var raw in ui.OtherSubItems)
        {
            WriteItem(v, (PduItemType)raw.ItemType, raw.Value);
        }
        if (ui.UserIdentity is { } id)
        {
            var b = new byte[6 + id.PrimaryField.Length + id.SecondaryField.Length];
            b[0] = id.IdentityType;
            b[1] = id.PositiveResponseRequested ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)id.PrimaryField.Length);
            id.PrimaryField.CopyTo(b, 4);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4 + id.PrimaryField.Length), (ushort)id.SecondaryField.Length);
            id.SecondaryField.CopyTo(b, 6 + id.PrimaryField.Length);
            WriteItem(v, PduItemType.UserIdentityRq, b);
        }
        if (ui.UserIdentityResponse is { } resp)
        {
            var b = new byte[2 + resp.Length];
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)resp.Length);
            resp.CopyTo(b, 2);
            WriteItem(v, PduItemType.UserIdentityAc, b);
        }
        return v.ToArray();
    }

    private static void WriteItem(MemoryStream s, PduItemType type, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"item 0x{(byte)type:X2} value of {value.Length} bytes exceeds 65535");
        }
        Span<byte> h = [(byte)type, 0, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)value.Length);
        s.Write(h);
        s.Write(value);
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
}
