namespace RemoteDx.Phantoms;

/// <summary>One generated phantom: its ground truth, the DICOM identity it was written with, the stored pixels and
/// (chest only) the layers it was drawn from.</summary>
public sealed record PhantomCase
{
    public required PhantomCaseSpec Spec { get; init; }

    public required string FileName { get; init; }

    public required PhantomFindings Findings { get; init; }

    /// <summary>Cardiothoracic ratio measured on the drawn masks (0 for a non-chest image).</summary>
    public required double CardiothoracicRatio { get; init; }

    public required Acquisition Acquisition { get; init; }

    public required Clinic Clinic { get; init; }

    public required SyntheticPatient Patient { get; init; }

    public required string StudyInstanceUid { get; init; }

    public required string SeriesInstanceUid { get; init; }

    public required string SopInstanceUid { get; init; }

    public required DateTime StudyDateTime { get; init; }

    public required int Size { get; init; }

    public required double PixelSpacing { get; init; }

    public required ushort[] Pixels { get; init; }

    public required double WindowCenter { get; init; }

    public required double WindowWidth { get; init; }

    public ChestLayers? Layers { get; init; }
}
