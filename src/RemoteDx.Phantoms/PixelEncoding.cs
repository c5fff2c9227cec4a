namespace RemoteDx.Phantoms;

/// <summary>How a phantom's pixel data is stored.</summary>
public enum PixelEncoding
{
    /// <summary>Explicit VR Little Endian, native pixel data.</summary>
    Native,

    /// <summary>RLE Lossless (PS3.5 Annex G).</summary>
    Rle,

    /// <summary>JPEG Lossless, first-order prediction (1.2.840.10008.1.2.4.70).</summary>
    JpegLossless,
}
