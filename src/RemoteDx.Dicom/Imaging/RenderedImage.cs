namespace RemoteDx.Dicom.Imaging;

/// <summary>A displayable 8-bit image: <paramref name="Channels"/> is 1 (grey) or 3 (RGB, interleaved), rows top to
/// bottom, no padding between rows.</summary>
public sealed record RenderedImage(int Width, int Height, int Channels, byte[] Pixels);
