// PS3.8 9.3.2.1-9.3.3.3 and Annex D.3.3: items and sub-items of the A-ASSOCIATE-RQ/AC PDUs
namespace RemoteDx.Dicom.Network;

/// <summary>Item types of the variable field of A-ASSOCIATE-RQ/AC (PS3.8 Table 9-12) and of User Information.</summary>
public enum PduItemType : byte
{
    ApplicationContext = 0x10,
    PresentationContextRq = 0x20,
    PresentationContextAc = 0x21,
    AbstractSyntax = 0x30,
    TransferSyntax = 0x40,
    UserInformation = 0x50,
    MaximumLength = 0x51,
    ImplementationClassUid = 0x52,
    AsynchronousOperationsWindow = 0x53,
    RoleSelection = 0x54,
    ImplementationVersionName = 0x55,
    SopClassExtendedNegotiation = 0x56,
    SopClassCommonExtendedNegotiation = 0x57,
    UserIdentityRq = 0x58,
    UserIdentityAc = 0x59,
}

/// <summary>PS3.8 9.3.3.2 result/reason of a presentation context in the A-ASSOCIATE-AC.</summary>
public enum PresentationContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    ProviderRejectionNoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>PS3.8 9.3.2.2 a proposed presentation context: ID (odd, 1-255), abstract syntax, transfer syntaxes.</summary>
public sealed record PresentationContextItem(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

/// <summary>PS3.8 9.3.3.2 the acceptor's answer for one presentation context.</summary>
public sealed record PresentationContextResultItem(byte Id, PresentationContextResult Result, string TransferSyntax);

/// <summary>PS3.7 D.3.3.4 SCP/SCU Role Selection sub-item.</summary>
public sealed record RoleSelectionItem(string SopClassUid, bool ScuRole, bool ScpRole);

/// <summary>PS3.7 D.3.3.5 SOP Class Extended Negotiation sub-item, passed through uninterpreted.</summary>
public sealed record ExtendedNegotiationItem(string SopClassUid, byte[] ApplicationInformation);

/// <summary>PS3.7 D.3.3.7.1 User Identity Negotiation (request): parsed, never acted on.</summary>
public sealed record UserIdentityItem(byte IdentityType, bool PositiveResponseRequested, byte[] PrimaryField, byte[] SecondaryField);

/// <summary>A sub-item kept as raw bytes (SOP Class Common Extended Negotiation, unknown user information sub-items).</summary>
public sealed record RawSubItem(byte ItemType, byte[] Value);

/// <summary>PS3.8 9.3.2.3 / D.1 User Information item and its sub-items.</summary>
public sealed record UserInformation
{
    /// <summary>D.1 maximum length of the P-DATA-TF variable field the sender can receive; 0 = unlimited.</summary>
    public uint MaximumLength { get; init; }

    public string? ImplementationClassUid { get; init; }

    public string? ImplementationVersionName { get; init; }

    /// <summary>PS3.7 D.3.3.3: (invoked, performed); null when absent (both 1).</summary>
    public (ushort Invoked, ushort Performed)? AsynchronousOperationsWindow { get; init; }

    public IReadOnlyList<RoleSelectionItem> RoleSelections { get; init; } = [];

    public IReadOnlyList<ExtendedNegotiationItem> ExtendedNegotiations { get; init; } = [];

    public UserIdentityItem? UserIdentity { get; init; }

    /// <summary>PS3.7 D.3.3.7.2 server response (A-ASSOCIATE-AC only).</summary>
    public byte[]? UserIdentityResponse { get; init; }

    public IReadOnlyList<RawSubItem> OtherSubItems { get; init; } = [];
}
