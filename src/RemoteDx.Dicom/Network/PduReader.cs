// PS3.8 9.3.1 PDU structure: reading PDUs from the transport without trusting any length
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RemoteDx.Dicom.Network;

/// <summary>Reads PDUs from a stream. Every length is checked against a cap before a byte is buffered: a P-DATA-TF
/// larger than the Maximum Length we advertised (plus the PDV item header), or any association PDU over
/// <see cref="MaxAssociationPduLength"/>, raises <see cref="DicomPduException"/>, which the caller turns into A-ABORT.</summary>
public sealed class PduReader
{
    /// <summary>PDU header: type, reserved, 4-byte length. PS3.8 9.3.1.</summary>
    public const int HeaderLength = 6;

    /// <summary>PDV item header inside P-DATA-TF: 4-byte item length, context ID, message control header. PS3.8 9.3.5.1.</summary>
    public const int PdvHeaderLength = 6;

    /// <summary>Cap on A-ASSOCIATE-RQ/AC: 128 contexts with many transfer syntaxes fit in far less.</summary>
    public const int MaxAssociationPduLength = 1 << 20;

    /// <summary>Cap on a P-DATA-TF when the limit is "unlimited" (0): nobody sends more than this in one PDU.</summary>
    public const int MaxUnlimitedPDataLength = 64 << 20;

    private readonly Stream _stream;
    private readonly byte[] _header = new byte[HeaderLength];

    /// <param name="maxPDataLength">The Maximum Length we advertised (0 = unlimited).</param>
    public PduReader(Stream stream, uint maxPDataLength)
    {
        _stream = stream;
        MaxPDataLength = maxPDataLength;
    }

    /// <summary>The Maximum Length we advertised for the P-DATA-TF variable field; 0 means unlimited.</summary>
    public uint MaxPDataLength { get; set; }

    /// <summary>Reads one PDU; null when the stream ends cleanly at a PDU boundary.</summary>
    /// <exception cref="DicomPduException">Unknown type, bad length, malformed content.</exception>
    /// <exception cref="EndOfStreamException">The stream ended inside a PDU.</exception>
    public async ValueTask<Pdu?> ReadAsync(CancellationToken ct = default)
    {
        var got = await _stream.ReadAtLeastAsync(_header, HeaderLength, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }
        if (got < HeaderLength)
        {
            throw new EndOfStreamException($"transport closed inside a PDU header ({got} of 6 bytes)");
        }
        var type = _header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(2));
        if (type is < 1 or > 7)
        {
            throw new DicomPduException($"unrecognized PDU type 0x{type:X2}", AbortReason.UnrecognizedPdu);
        }
        var pduType = (PduType)type;
        CheckLength(pduType, length);
        var body = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        var keep = false;
        try
        {
            await _stream.ReadExactlyAsync(body.AsMemory(0, (int)length), ct).ConfigureAwait(false);
            var pdu = Parse(pduType, body, (int)length);
            keep = pdu is PDataTf;
            return pdu;
        }
        finally
        {
            if (!keep)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    private void CheckLength(PduType type, uint length)
    {
        switch (type)
        {
            case PduType.AssociateRq or PduType.AssociateAc:
                // Fixed part: version, reserved, AE titles and 32 reserved bytes. PS3.8 Table 9-11.
                if (length < 68 || length > MaxAssociationPduLength)
                {
                    throw new DicomPduException($"{type} PDU length {length} outside 68..{MaxAssociationPduLength}", AbortReason.InvalidPduParameterValue);
                }
                break;
            case PduType.PDataTf:
                // Some implementations count only the PDV data against Maximum Length; allow the PDV item header.
                var cap = MaxPDataLength == 0 ? MaxUnlimitedPDataLength : Math.Min((long)MaxPDataLength + PdvHeaderLength, MaxUnlimitedPDataLength);
                if (length < PdvHeaderLength || length > cap)
                {
                    throw new DicomPduException($"P-DATA-TF PDU length {length} outside {PdvHeaderLength}..{cap} (negotiated maximum {MaxPDataLength})", AbortReason.InvalidPduParameterValue);
                }
                break;
            default:
                if (length != 4)
                {
                    throw new DicomPduException($"{type} PDU length {length}, expected 4", AbortReason.InvalidPduParameterValue);
                }
                break;
        }
    }

    /// <summary>Decodes a PDU body (the bytes after the 6-byte header). P-DATA-TF keeps <paramref name="body"/> as its
    /// rented buffer.</summary>
    internal static Pdu Parse(PduType type, byte[] body, int length)
    {
        var span = body.AsSpan(0, length);
        return type switch
        {
            PduType.AssociateRq => ParseAssociateRq(span),
            PduType.AssociateAc => ParseAssociateAc(span),
            PduType.AssociateRj => new AAssociateRj((RejectResult)span[1], (RejectSource)span[2], span[3]),
            PduType.PDataTf => ParsePData(body, length),
            PduType.ReleaseRq => new AReleaseRq(),
            PduType.ReleaseRp => new AReleaseRp(),
            PduType.Abort => new AAbort((AbortSource)span[2], span[3]),
            _ => throw new DicomPduException($"unrecognized PDU type 0x{(byte)type:X2}", AbortReason.UnrecognizedPdu),
        };
    }

    /// <summary>Parses a complete PDU (header included) from memory; for tests and the fuzz harness.</summary>
    public static Pdu Parse(ReadOnlySpan<byte> pdu, uint maxPDataLength = 0)
    {
        var reader = new PduReader(new MemoryStream(pdu.ToArray(), writable: false), maxPDataLength);
        var task = reader.ReadAsync(CancellationToken.None);
        // A MemoryStream completes synchronously, so the task is already done.
        var result = task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("unexpected asynchronous read");
        return result ?? throw new DicomPduException("empty input", AbortReason.UnrecognizedPdu);
    }

    private static PDataTf ParsePData(byte[] body, int length)
    {
        var pdvs = new List<Pdv>(1);
        var pos = 0;
        while (pos < length)
        {
            if (length - pos < PdvHeaderLength)
            {
                throw new DicomPduException($"truncated PDV item at offset {pos} of P-DATA-TF", AbortReason.InvalidPduParameterValue);
            }
            var itemLength = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(pos));
            if (itemLength < 2 || itemLength > (uint)(length - pos - 4))
            {
                throw new DicomPduException($"PDV item length {itemLength} at offset {pos} overruns the P-DATA-TF PDU", AbortReason.InvalidPduParameterValue);
            }
            var pcId = body[pos + 4];
            var mch = body[pos + 5];
            if ((mch & 0xFC) != 0 || pcId % 2 == 0)
            {
                throw new DicomPduException($"PDV at offset {pos}: context ID {pcId}, message control header 0x{mch:X2}", AbortReason.InvalidPduParameterValue);
            }
            pdvs.Add(new Pdv(pcId, (mch & 1) != 0, (mch & 2) != 0, body.AsMemory(pos + 6, (int)itemLength - 2)));
            pos += 4 + (int)itemLength;
        }
        return new PDataTf(pdvs, body);
    }

    private static (ushort Version, string Called, string Calling) ParseFixed(ReadOnlySpan<byte> span) =>
        (BinaryPrimitives.ReadUInt16BigEndian(span), AeTitle(span.Slice(4, 16)), AeTitle(span.Slice(20, 16)));

    private static AAssociateRq ParseAssociateRq(ReadOnlySpan<byte> span)
    {
        var (version, called, calling) = ParseFixed(span);
        string? appContext = null;
        var contexts = new List<PresentationContextItem>();
        UserInformation? user = null;
        foreach (var (type, value) in Items(span[68..], "A-ASSOCIATE-RQ", 68))
        {
            switch ((PduItemType)type)
            {
                case PduItemType.ApplicationContext:
                    appContext ??= Uid(value);
                    break;
                case PduItemType.PresentationContextRq:
                    contexts.Add(ParseContextRq(value));
                    break;
                case PduItemType.UserInformation:
                    user ??= ParseUserInformation(value);
                    break;
                default:
                    // PS3.8 9.3.1: unknown items are ignored.
                    break;
            }
        }
        if (appContext is null)
        {
            throw new DicomPduException("A-ASSOCIATE-RQ without an Application Context item", AbortReason.InvalidPduParameterValue);
        }
        return new AAssociateRq(version, called, calling, appContext, contexts, user ?? new UserInformation());
    }

    private static AAssociateAc ParseAssociateAc(ReadOnlySpan<byte> span)
    {
        var (version, called, calling) = ParseFixed(span);
        string? appContext = null;
        var contexts = new List<PresentationContextResultItem>();
        UserInformation? user = null;
        foreach (var (type, value) in Items(span[68..], "A-ASSOCIATE-AC", 68))
        {
            switch ((PduItemType)type)
            {
                case PduItemType.ApplicationContext:
                    appContext ??= Uid(value);
                    break;
                case PduItemType.PresentationContextAc:
                    if (value.Length < 4)
                    {
                        throw new DicomPduException("presentation context AC item shorter than 4 bytes", AbortReason.InvalidPduParameterValue);
                    }
                    string ts = "";
                    foreach (var (subType, sub) in Items(value[4..], "presentation context AC item", 0))
                    {
                        if (subType == (byte)PduItemType.TransferSyntax)
                        {
                            ts = Uid(sub);
                        }
                    }
                    contexts.Add(new PresentationContextResultItem(value[0], (PresentationContextResult)value[2], ts));
                    break;
                case PduItemType.UserInformation:
                    user ??= ParseUserInformation(value);
                    break;
                default:
                    break;
            }
        }
        return new AAssociateAc(version, called, calling, appContext ?? "", contexts, user ?? new UserInformation());
    }

    private static PresentationContextItem ParseContextRq(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            throw new DicomPduException("presentation context RQ item shorter than 4 bytes", AbortReason.InvalidPduParameterValue);
        }
        string? abstractSyntax = null;
        var syntaxes = new List<string>();
        foreach (var (type, sub) in Items(value[4..], "presentation context RQ item", 0))
        {
            if (type == (byte)PduItemType.AbstractSyntax)
            {
                abstractSyntax ??= Uid(sub);
            }
            else if (type == (byte)PduItemType.TransferSyntax)
            {
                syntaxes.Add(Uid(sub));
            }
        }
        return new PresentationContextItem(value[0], abstractSyntax ?? "", syntaxes);
    }

    private static UserInformation ParseUserInformation(ReadOnlySpan<byte> value)
    {
        uint maxLength = 0;
        string? implUid = null;
        string? implVersion = null;
        (ushort, ushort)? window = null;
        var roles = new List<RoleSelectionItem>();
        var extended = new List<ExtendedNegotiationItem>();
        var other = new List<RawSubItem>();
        UserIdentityItem? identity = null;
        byte[]? identityResponse = null;
        foreach (var (type, raw) in Items(value, "user information item", 0))
        {
            ReadOnlySpan<byte> sub = raw;
            switch ((PduItemType)type)
            {
                case PduItemType.MaximumLength:
                    Need(sub, 4, "maximum length");
                    maxLength = BinaryPrimitives.ReadUInt32BigEndian(sub);
                    break;
                case PduItemType.ImplementationClassUid:
                    implUid = Uid(sub);
                    break;
                case PduItemType.ImplementationVersionName:
                    implVersion = Encoding.ASCII.GetString(sub).Trim(' ', '\0');
                    break;
                case PduItemType.AsynchronousOperationsWindow:
                    Need(sub, 4, "asynchronous operations window");
                    window = (BinaryPrimitives.ReadUInt16BigEndian(sub), BinaryPrimitives.ReadUInt16BigEndian(sub[2..]));
                    break;
                case PduItemType.RoleSelection:
                    {
                        var uid = LengthPrefixed(sub, "role selection", out var rest);
                        Need(rest, 2, "role selection");
                        roles.Add(new RoleSelectionItem(uid, rest[0] == 1, rest[1] == 1));
                        break;
                    }
                case PduItemType.SopClassExtendedNegotiation:
                    {
                        var uid = LengthPrefixed(sub, "SOP class extended negotiation", out var rest);
                        extended.Add(new ExtendedNegotiationItem(uid, rest.ToArray()));
                        break;
                    }
                case PduItemType.UserIdentityRq:
                    {
                        Need(sub, 4, "user identity");
                        var primaryLength = BinaryPrimitives.ReadUInt16BigEndian(sub[2..]);
                        Need(sub, 4 + primaryLength + 2, "user identity");
                        var primary = sub.Slice(4, primaryLength).ToArray();
                        var secondaryLength = BinaryPrimitives.ReadUInt16BigEndian(sub[(4 + primaryLength)..]);
                        Need(sub, 6 + primaryLength + secondaryLength, "user identity");
                        var secondary = sub.Slice(6 + primaryLength, secondaryLength).ToArray();
                        identity = new UserIdentityItem(sub[0], sub[1] == 1, primary, secondary);
                        break;
                    }
                case PduItemType.UserIdentityAc:
                    {
                        Need(sub, 2, "user identity response");
                        var len = BinaryPrimitives.ReadUInt16BigEndian(sub);
                        Need(sub, 2 + len, "user identity response");
                        identityResponse = sub.Slice(2, len).ToArray();
                        break;
                    }
                default:
                    other.Add(new RawSubItem(type, sub.ToArray()));
                    break;
            }
        }
        return new UserInformation
        {
            MaximumLength = maxLength,
            ImplementationClassUid = implUid,
            ImplementationVersionName = implVersion,
            AsynchronousOperationsWindow = window,
            RoleSelections = roles,
            ExtendedNegotiations = extended,
            UserIdentity = identity,
            UserIdentityResponse = identityResponse,
            OtherSubItems = other,
        };
    }

    private static void Need(ReadOnlySpan<byte> sub, int length, string what)
    {
        if (sub.Length < length)
        {
            throw new DicomPduException($"{what} sub-item is {sub.Length} bytes, needs {length}", AbortReason.InvalidPduParameterValue);
        }
    }

    private static string LengthPrefixed(ReadOnlySpan<byte> sub, string what, out ReadOnlySpan<byte> rest)
    {
        Need(sub, 2, what);
        var len = BinaryPrimitives.ReadUInt16BigEndian(sub);
        Need(sub, 2 + len, what);
        rest = sub[(2 + len)..];
        return Uid(sub.Slice(2, len));
    }

    /// <summary>Walks items: type (1), reserved (1), length (2, big endian), value. PS3.8 9.3.2.</summary>
    private static List<(byte Type, byte[] Value)> Items(ReadOnlySpan<byte> span, string where, int baseOffset)
    {
        var items = new List<(byte, byte[])>();
        var pos = 0;
        while (pos < span.Length)
        {
            if (span.Length - pos < 4)
            {
                throw new DicomPduException($"truncated item header at offset {baseOffset + pos} of {where}", AbortReason.InvalidPduParameterValue);
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length > span.Length - pos - 4)
            {
                throw new DicomPduException($"item 0x{span[pos]:X2} length {length} at offset {baseOffset + pos} overruns {where}", AbortReason.InvalidPduParameterValue);
            }
            items.Add((span[pos], span.Slice(pos + 4, length).ToArray()));
            pos += 4 + length;
        }
        return items;
    }

    private static string Uid(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).Trim(' ', '\0');

    private static string AeTitle(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).Trim(' ', '\0');
}
