namespace RemoteDx.Dicom.Imaging;

/// <summary>What to render and how: the frame, an optional window overriding the dataset's VOI, which of several
/// stored windows (or VOI LUTs) to use, and whether to invert the displayed values.</summary>
public sealed record RenderOptions
{
    /// <summary>Zero-based frame number.</summary>
    public int Frame { get; init; }

    /// <summary>Window Center overriding (0028,1050); set together with <see cref="WindowWidth"/>.</summary>
    public double? WindowCenter { get; init; }

    /// <summary>Window Width overriding (0028,1051); set together with <see cref="WindowCenter"/>.</summary>
    public double? WindowWidth { get; init; }

    /// <summary>Which of several window values (or VOI LUT Sequence items) to apply. PS3.3 C.11.2.1.2.</summary>
    public int WindowIndex { get; init; }

    /// <summary>Inverts the displayed values (on top of the MONOCHROME1 inversion the standard requires).</summary>
    public bool Invert { get; init; }
}
