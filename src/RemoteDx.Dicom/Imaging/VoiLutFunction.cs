namespace RemoteDx.Dicom.Imaging;

/// <summary>VOI LUT Function (0028,1056). PS3.3 C.11.2.1.3.</summary>
public enum VoiLutFunction
{
    /// <summary>The default: PS3.3 C.11.2.1.2.1, with c - 0.5 and w - 1.</summary>
    Linear,

    /// <summary>PS3.3 C.11.2.1.3.2: the window maps exactly onto the output range.</summary>
    LinearExact,

    /// <summary>PS3.3 C.11.2.1.3.1.</summary>
    Sigmoid,
}
