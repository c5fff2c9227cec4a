using RemoteDx.Dicom;

namespace RemoteDx;

/// <summary>STUB until Imaging lands.</summary>
internal static class Renderer
{
    public static byte[] RenderToFile(DicomFile file, int frame, double? wc, double? ww, string outPath) =>
        throw new DicomException("rendering is not implemented yet");
}
