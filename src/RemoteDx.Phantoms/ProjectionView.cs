namespace RemoteDx.Phantoms;

/// <summary>Beam direction of a frontal chest radiograph (DICOM View Position).</summary>
public enum ProjectionView
{
    /// <summary>Posteroanterior: upright, with a grid; the heart is close to the detector.</summary>
    PA,

    /// <summary>Anteroposterior: portable, often without a grid; more scatter, a magnified heart, scapulae over the
    /// lungs.</summary>
    AP,
}
