// PS3.7 6.3 / 9.3 / E DIMSE messages: command sets in implicit VR little endian, C-ECHO and C-STORE
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RemoteDx.Dicom.Network;

/// <summary>PS3.7 E.1 Command Field (0000,0100) values used here.</summary>
public enum DimseCommandField : ushort
{
    CStoreRq = 0x0001,
    CStoreRsp = 0x8001,
    CEchoRq = 0x0030,
    CEchoRsp = 0x8030,
}

/// <summary>PS3.7 9.1.1.1.3 priority.</summary>
public enum DimsePriority : ushort
{
    Medium = 0x0000,
    High = 0x0001,
    Low = 0x0002,
}

/// <summary>A command set (group 0000). Only the elements of C-ECHO and C-STORE are modelled; others are ignored
/// on reading.</summary>
public sealed record DimseCommand
{
    /// <summary>(0000,0800) value meaning "no data set" (PS3.7 E.1).</summary>
    public const ushort NoDataSet = 0x0101;

    public required DimseCommandField CommandField { get; init; }

    public ushort? MessageId { get; init; }

    public ushort? MessageIdBeingRespondedTo { get; init; }

    public string? AffectedSopClassUid { get; init; }

    public string? AffectedSopInstanceUid { get; init; }

    public DimsePriority? Priority { get; init; }

    public bool HasDataSet { get; init; }

    public ushort? Status { get; init; }

    public string? ErrorComment { get; init; }

    public string? MoveOriginatorAE { get; init; }

    public ushort? MoveOriginatorMessageId { get; init; }

    public bool IsRequest => ((ushort)CommandField & 0x8000) == 0;
}

/// <summary>Encodes and decodes command sets: implicit VR little endian, (0000,0000) Command Group Length first.
/// PS3.7 6.3.1.</summary>
public static class DimseCodec
{
    private static readonly Tag GroupLength = new(0x0000, 0x0000);
    private static readonly Tag AffectedSopClassUid = new(0x0000, 0x0002);
    private static readonly Tag CommandField = new(0x0000, 0x0100);
    private static readonly Tag MessageId = new(0x0000, 0x0110);
    private static readonly Tag MessageIdBeingRespondedTo = new(0x0000, 0x0120);
    private static readonly Tag Priority = new(0x0000, 0x0700);
    private static readonly Tag CommandDataSetType = new(0x0000, 0x0800);
    private static readonly Tag Status = new(0x0000, 0x0900);
    private static readonly Tag ErrorComment = new(0x0000, 0x0902);
    private static readonly Tag AffectedSopInstanceUid = new(0x0000, 0x1000);
    private static readonly Tag MoveOriginatorAE = new(0x0000, 0x1030);
    private static readonly Tag MoveOriginatorMessageId = new(0x0000, 0x1031);

    /// <summary>Largest command set accepted: commands are a few hundred bytes.</summary>
    public const int MaxCommandLength = 64 * 1024;

    public static byte[] Encode(DimseCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var body = new ArrayBufferWriter<byte>(256);
        if (command.AffectedSopClassUid is { } sopClass)
        {
            Put(body, AffectedSopClassUid, Text(sopClass, 0));
        }
        Put(body, CommandField, U16((ushort)command.CommandField));
        if (command.MessageId is { } id)
        {
            Put(body, MessageId, U16(id));
        }
        if (command.MessageIdBeingRespondedTo is { } rid)
        {
            Put(body, MessageIdBeingRespondedTo, U16(rid));
        }
        if (command.Priority is { } priority)
        {
            Put(body, Priority, U16((ushort)priority));
        }
        Put(body, CommandDataSetType, U16(command.HasDataSet ? (ushort)0x0000 : DimseCommand.NoDataSet));
        if (command.Status is { } status)
        {
            Put(body, Status, U16(status));
        }
        if (!string.IsNullOrEmpty(command.ErrorComment))
        {
            // LO: at most 64 characters.
            var comment = command.ErrorComment.Length > 64 ? command.ErrorComment[..64] : command.ErrorComment;
            Put(body, ErrorComment, Text(comment, (byte)' '));
        }
        if (command.AffectedSopInstanceUid is { } sopInstance)
        {
            Put(body, AffectedSopInstanceUid, Text(sopInstance, 0));
        }
        if (!string.IsNullOrEmpty(command.MoveOriginatorAE))
        {
            Put(body, MoveOriginatorAE, Text(command.MoveOriginatorAE, (byte)' '));
        }
        if (command.MoveOriginatorMessageId is { } moveId)
        {
            Put(body, MoveOriginatorMessageId, U16(moveId));
        }
        var result = new byte[12 + body.WrittenCount];
        BinaryPrimitives.WriteUInt16LittleEndian(result, GroupLength.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(2), GroupLength.Element);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)body.WrittenCount);
        body.WrittenSpan.CopyTo(result.AsSpan(12));
        return result;
    }

    /// <exception cref="DicomFormatException">Truncated element, element outside group 0000, missing Command Field.</exception>
    public static DimseCommand Decode(ReadOnlySpan<byte> bytes)
    {
        DimseCommandField? field = null;
        ushort? messageId = null, respondedTo = null, status = null, moveId = null, dataSetType = null;
        DimsePriority? priority = null;
        string? sopClass = null, sopInstance = null, comment = null, moveAe = null;
        var pos = 0;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 8)
            {
                throw new DicomFormatException("truncated command set element header", pos);
            }
            var tag = new Tag(BinaryPrimitives.ReadUInt16LittleEndian(bytes[pos..]), BinaryPrimitives.ReadUInt16LittleEndian(bytes[(pos + 2)..]));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(pos + 4)..]);
            if (tag.Group != 0x0000)
            {
                throw new DicomFormatException("command set element outside group 0000", pos, tag);
            }
            if (length > (uint)(bytes.Length - pos - 8))
            {
                throw new DicomFormatException($"command element length {length} overruns the command set", pos, tag);
            }
            var value = bytes.Slice(pos + 8, (int)length);
            pos += 8 + (int)length;
            switch (tag.Element)
            {
                case 0x0002: sopClass = Str(value); break;
                case 0x0100: field = (DimseCommandField)U16(value, tag); break;
                case 0x0110: messageId = U16(value, tag); break;
                case 0x0120: respondedTo = U16(value, tag); break;
                case 0x0700: priority = (DimsePriority)U16(value, tag); break;
                case 0x0800: dataSetType = U16(value, tag); break;
                case 0x0900: status = U16(value, tag); break;
                case 0x0902: comment = Str(value); break;
                case 0x1000: sopInstance = Str(value); break;
                case 0x1030: moveAe = Str(value); break;
                case 0x1031: moveId = U16(value, tag); break;
                default: break;
            }
        }
        if (field is null)
        {
            throw new DicomFormatException("command set without Command Field", -1, CommandField);
        }
        if (dataSetType is null)
        {
            throw new DicomFormatException("command set without Command Data Set Type", -1, CommandDataSetType);
        }
        return new DimseCommand
        {
            CommandField = field.Value,
            MessageId = messageId,
            MessageIdBeingRespondedTo = respondedTo,
            AffectedSopClassUid = sopClass,
            AffectedSopInstanceUid = sopInstance,
            Priority = priority,
            HasDataSet = dataSetType != DimseCommand.NoDataSet,
            Status = status,
            ErrorComment = comment,
            MoveOriginatorAE = moveAe,
            MoveOriginatorMessageId = moveId,
        };
    }

    private static ushort U16(ReadOnlySpan<byte> value, Tag tag) =>
        value.Length == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(value) : throw new DicomFormatException($"US element of length {value.Length}", -1, tag);

    private static string Str(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).Trim(' ', '\0');

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static byte[] Text(string s, byte pad)
    {
        var bytes = Encoding.ASCII.GetBytes(s);
        if (bytes.Length % 2 == 0)
        {
            return bytes;
        }
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = pad;
        return padded;
    }

    private static void Put(ArrayBufferWriter<byte> w, Tag tag, byte[] value)
    {
        var span = w.GetSpan(8 + value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], tag.Element);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)value.Length);
        value.CopyTo(span[8..]);
        w.Advance(8 + value.Length);
    }
}

/// <summary>Sends DIMSE messages as P-DATA-TF PDUs, fragmenting to the peer's Maximum Length. PS3.8 9.3.5, E.</summary>
internal static class DimseSender
{
    /// <summary>Fragment size when the peer says "unlimited" (0).</summary>
    private const int UnlimitedFragment = 1 << 20;

    /// <summary>The largest fragment a PDV may carry for the peer's maximum PDU length, rounded down to even: fragments
    /// of a data set that has even length then all have even length, which DCMTK requires.</summary>
    public static int FragmentSize(uint peerMaxPduLength) =>
        peerMaxPduLength == 0 ? UnlimitedFragment : (int)Math.Clamp(peerMaxPduLength - (long)PduReader.PdvHeaderLength, 2, UnlimitedFragment) & ~1;

    public static async ValueTask SendCommandAsync(Dul dul, byte pcId, DimseCommand command, CancellationToken ct)
    {
        var encoded = DimseCodec.Encode(command);
        await SendAsync(dul, pcId, true, encoded, ct).ConfigureAwait(false);
    }

    public static async ValueTask SendAsync(Dul dul, byte pcId, bool isCommand, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var fragment = FragmentSize(dul.PeerMaxPduLength);
        var buffer = ArrayPool<byte>.Shared.Rent(PduWriter.PDataOverhead + Math.Min(fragment, Math.Max(data.Length, 1)));
        try
        {
            var offset = 0;
            do
            {
                var n = Math.Min(fragment, data.Length - offset);
                var last = offset + n == data.Length;
                PduWriter.WritePDataHeader(buffer, pcId, isCommand, last, n);
                data.Span.Slice(offset, n).CopyTo(buffer.AsSpan(PduWriter.PDataOverhead));
                await dul.SendPDataAsync(buffer.AsMemory(0, PduWriter.PDataOverhead + n), ct).ConfigureAwait(false);
                offset += n;
            }
            while (offset < data.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Streams <paramref name="length"/> bytes of <paramref name="source"/> as dataset fragments, reading each
    /// fragment straight into the PDU buffer. With <paramref name="padToEven"/> an odd-length data set is followed by
    /// one null byte (PS3.5 A.5: a deflated stream of odd length is padded; peers such as DCMTK refuse odd fragments).</summary>
    public static async ValueTask SendDataSetAsync(Dul dul, byte pcId, Stream source, long length, CancellationToken ct, bool padToEven = false)
    {
        var total = padToEven && (length & 1) == 1 ? length + 1 : length;
        var fragment = (int)Math.Min(FragmentSize(dul.PeerMaxPduLength), Math.Max(total, 1));
        var buffer = ArrayPool<byte>.Shared.Rent(PduWriter.PDataOverhead + fragment);
        try
        {
            long sent = 0;
            do
            {
                var n = (int)Math.Min(fragment, total - sent);
                var fromSource = (int)Math.Min(n, length - sent);
                await source.ReadExactlyAsync(buffer.AsMemory(PduWriter.PDataOverhead, fromSource), ct).ConfigureAwait(false);
                if (fromSource < n)
                {
                    buffer[PduWriter.PDataOverhead + fromSource] = 0;
                }
                var last = sent + n == total;
                PduWriter.WritePDataHeader(buffer, pcId, false, last, n);
                await dul.SendPDataAsync(buffer.AsMemory(0, PduWriter.PDataOverhead + n), ct).ConfigureAwait(false);
                sent += n;
            }
            while (sent < total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
