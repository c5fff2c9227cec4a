namespace RemoteDx.Dicom;

/// <summary>The frames Number of Frames (0028,0008) promises and the frames the Pixel Data (7FE0,0010) holds. Native
/// (uncompressed) pixel data has no structure of its own, so a value too short for every promised frame can only be
/// seen from its length (PS3.5 8.1.1, PS3.3 C.7.6.6).</summary>
/// <param name="Declared">Number of Frames, 1 when absent.</param>
/// <param name="Available">Frames 0..Available-1 can be decoded; at most <paramref name="Declared"/>.</param>
/// <param name="PixelDataLength">The value length of Pixel Data in bytes.</param>
/// <param name="FrameBytes">Bytes one native frame takes (1-bit frames: bits / 8, rounded up); 0 for encapsulated
/// pixel data, whose frames are counted by their fragments.</param>
public sealed record FrameCount(int Declared, int Available, long PixelDataLength, long FrameBytes)
{
    /// <summary>Whether the pixel data holds fewer frames than Number of Frames says.</summary>
    public bool IsShort => Available < Declared;

    /// <summary>Why fewer frames are available than declared; null when all are there.</summary>
    public string? Warning => IsShort
        ? $"Number of Frames {Tag.NumberOfFrames} is {Declared} but Pixel Data {Tag.PixelData} holds {PixelDataLength} bytes, "
            + $"enough for {Available} frame(s) of {FrameBytes} bytes; "
            + (Available == 0 ? "no frame can be decoded" : $"only frames 0..{Available - 1} are decoded")
        : null;
}
