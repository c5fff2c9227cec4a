// PS3.7 C (status type encoding) and GG.4 / B.2.3 (C-STORE statuses)
namespace RemoteDx.Dicom.Network;

/// <summary>PS3.7 C.1 status classes.</summary>
public enum StatusCategory
{
    Success,
    Warning,
    Failure,
    Cancel,
    Pending,
}

/// <summary>A DIMSE status (0000,0900) with the optional Error Comment (0000,0902).</summary>
public readonly record struct DimseStatus(ushort Code, string? ErrorComment = null)
{
    public static DimseStatus Success => new(0x0000);

    /// <summary>0110 Processing failure (PS3.7 C.4).</summary>
    public static DimseStatus ProcessingFailure => new(0x0110);

    /// <summary>0124 Refused: Not authorized (PS3.7 C.4, general status): the peer may not do this to this object.</summary>
    public static DimseStatus NotAuthorized => new(0x0124);

    /// <summary>0122 SOP Class not supported (PS3.7 C.5.1).</summary>
    public static DimseStatus SopClassNotSupported => new(0x0122);

    /// <summary>A700 Refused: out of resources (PS3.4 B.2.3).</summary>
    public static DimseStatus OutOfResources => new(0xA700);

    /// <summary>A701 Refused: out of resources, unable to store (C-STORE, PS3.4 GG.4 family).</summary>
    public static DimseStatus OutOfResourcesUnableToStore => new(0xA701);

    /// <summary>A900 Error: data set does not match SOP class.</summary>
    public static DimseStatus DatasetDoesNotMatchSopClass => new(0xA900);

    /// <summary>C000 Error: cannot understand.</summary>
    public static DimseStatus CannotUnderstand => new(0xC000);

    /// <summary>B000 Warning: coercion of data elements.</summary>
    public static DimseStatus CoercionOfDataElements => new(0xB000);

    /// <summary>B006 Warning: elements discarded.</summary>
    public static DimseStatus ElementsDiscarded => new(0xB006);

    /// <summary>B007 Warning: data set does not match SOP class.</summary>
    public static DimseStatus DatasetDoesNotMatchSopClassWarning => new(0xB007);

    public StatusCategory Category => Code switch
    {
        0x0000 => StatusCategory.Success,
        0x0001 or 0x0107 or 0x0116 or (>= 0xB000 and <= 0xBFFF) => StatusCategory.Warning,
        0xFE00 => StatusCategory.Cancel,
        0xFF00 or 0xFF01 => StatusCategory.Pending,
        _ => StatusCategory.Failure,
    };

    public bool IsSuccess => Code == 0;

    public DimseStatus WithComment(string? comment) => this with { ErrorComment = comment };

    public override string ToString() => ErrorComment is null ? $"{Code:X4} ({Category})" : $"{Code:X4} ({Category}: {ErrorComment})";
}
