using JpegLibrary;

namespace RemoteDx.Dicom.Codecs;

/// <summary>JPEG (ISO/IEC 10918-1) for PS3.5 A.4.1: Baseline (Process 1), Extended (Process 2 &amp; 4) and Lossless
/// (Process 14, any predictor, and its Selection Value 1 form). Sequential DCT frames (SOF0/SOF1) are decoded by
/// <see cref="JpegDctDecoder"/>, bit-exact with DCMTK's libjpeg; progressive frames (SOF2) with the managed
/// JpegLibrary; lossless (SOF3) frames by <see cref="JpegLosslessDecoder"/>. Components are
/// returned as coded (no YCbCr to RGB conversion, PS3.5 8.2.1: the Photometric Interpretation describes them).
/// Decode only.</summary>
public sealed class JpegCodec : IPixelCodec
{
    private const string CodecName = "JPEG";

    public string Name => CodecName;

    public IReadOnlyList<TransferSyntax> TransferSyntaxes { get; } =
        [TransferSyntax.JPEGBaseline8Bit, TransferSyntax.JPEGExtended12Bit, TransferSyntax.JPEGLossless, TransferSyntax.JPEGLosslessSV1];

    public bool CanEncode => false;

    public void Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        CodecSupport.CheckDestination(destination, size, CodecName);
        destination = destination[..size];
        if (format.BitsAllocated > 16)
        {
            throw new DicomCodecException($"{CodecName}: Bits Allocated {format.BitsAllocated} exceeds JPEG's 16-bit maximum (ISO/IEC 10918-1 B.2.2)");
        }

        var startOfFrame = JpegLosslessDecoder.FindStartOfFrame(frame);
        if (startOfFrame == 0xC3)
        {
            // Process 14 (SOF3): decoded here, not by JpegLibrary; see JpegLosslessDecoder.
            JpegLosslessDecoder.Decode(frame, format, destination);
            CodecSupport.SignExtend(destination, format);
            return;
        }
        if (startOfFrame != 0xC2)
        {
            // Sequential DCT (SOF0 / SOF1, Processes 1, 2 and 4): bit-exact with libjpeg's islow IDCT as DCMTK uses it.
            // Any other or missing frame type is rejected there.
            JpegDctDecoder.Decode(frame, format, destination);
            CodecSupport.SignExtend(destination, format);
            return;
        }

        var decoder = new JpegDecoder();
        try
        {
            decoder.SetInput(frame.ToArray());
            decoder.Identify();
        }
        catch (Exception ex) when (ex is not DicomCodecException and not OutOfMemoryException)
        {
            throw new DicomCodecException($"{CodecName}: cannot read the JPEG headers: {ex.Message}", ex);
        }

        var marker = decoder.StartOfFrame;
        var lossless = marker is JpegMarker.StartOfFrame3 or JpegMarker.StartOfFrame7 or JpegMarker.StartOfFrame11 or JpegMarker.StartOfFrame15;
        if (marker is JpegMarker.StartOfFrame5 or JpegMarker.StartOfFrame6 or JpegMarker.StartOfFrame7
            or JpegMarker.StartOfFrame13 or JpegMarker.StartOfFrame14 or JpegMarker.StartOfFrame15)
        {
            throw new DicomCodecException($"{CodecName}: hierarchical (differential) JPEG ({marker}) is not supported");
        }
        var precision = decoder.Precision;
        if (decoder.Width != format.Columns || decoder.Height != format.Rows)
        {
            throw new DicomCodecException(
                $"{CodecName}: stream is {decoder.Width}x{decoder.Height}, the dataset declares {format.Columns}x{format.Rows} (PS3.5 8.2.1)");
        }
        if (decoder.NumberOfComponents != format.SamplesPerPixel)
        {
            throw new DicomCodecException(
                $"{CodecName}: stream has {decoder.NumberOfComponents} components, the dataset declares {format.SamplesPerPixel} samples per pixel");
        }
        if (precision < 2 || precision > format.BitsAllocated)
        {
            throw new DicomCodecException(
                $"{CodecName}: stream precision {precision} bits does not fit Bits Allocated {format.BitsAllocated} (PS3.5 8.2.1)");
        }

        unsafe
        {
            fixed (byte* output = destination)
            {
                var writer = new ComponentWriter(output, destination.Length, format.Columns, format.Rows, format.SamplesPerPixel,
                    format.BytesPerSample, precision, lossless);
                try
                {
                    decoder.SetOutputWriter(writer);
                    decoder.Decode();
                }
                catch (Exception ex) when (ex is not DicomCodecException and not OutOfMemoryException)
                {
                    throw new DicomCodecException($"{CodecName}: corrupt or unsupported stream: {ex.Message}", ex);
                }
                finally
                {
                    writer.Detach();
                }
                if (writer.Blocks == 0)
                {
                    throw new DicomCodecException($"{CodecName}: the stream holds no image data");
                }
            }
        }
        CodecSupport.SignExtend(destination, format);
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format) =>
        throw new DicomCodecException($"{CodecName}: encoding is not supported");

    public void SelfTest()
    {
        // An 8x8 (4x4 used) lossless SV1 gray image, ISO/IEC 10918-1 H.1, built here from first principles: one
        // Huffman table whose only code "0" means difference category 0, so every sample equals the predictor
        // 2^(P-1) = 128.
        byte[] stream =
        [
            0xFF, 0xD8,                                                 // SOI
            0xFF, 0xC4, 0x00, 0x14, 0x00,                               // DHT, class 0 / id 0
            0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,          // one code of length 1
            0x00,                                                       // symbol: category 0
            0xFF, 0xC3, 0x00, 0x0B, 0x08, 0x00, 0x04, 0x00, 0x04, 0x01, // SOF3: P=8, 4x4, 1 component
            0x01, 0x11, 0x00,
            0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, // SOS: Ss=1 (predictor 1), Pt=0
            0x00, 0x00,                                                 // 16 zero bits: 16 samples of category 0
            0xFF, 0xD9,                                                 // EOI
        ];
        var format = new PixelFormat(4, 4, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1);
        var decoded = new byte[16];
        Decode(stream, format, decoded);
        if (decoded.Any(b => b != 128))
        {
            throw new DicomCodecException($"{CodecName}: self-test decoded wrong values");
        }
    }

    /// <summary>Receives 8x8 blocks of one component from JpegLibrary and stores the clipped part into the frame.
    /// Holds a raw pointer into the caller's pinned destination only for the duration of Decode.</summary>
    private sealed unsafe class ComponentWriter(byte* output, int length, int width, int height, int components,
        int bytesPerSample, int precision, bool lossless) : JpegBlockOutputWriter
    {
        private byte* _output = output;
        private readonly int _max = (1 << precision) - 1;

        public int Blocks { get; private set; }

        public void Detach() => _output = null;

        public override void WriteBlock(ref short blockRef, int componentIndex, int x, int y)
        {
            if (_output == null || (uint)componentIndex >= (uint)components || x < 0 || y < 0 || x >= width || y >= height)
            {
                return;
            }
            Blocks++;
            var writeWidth = Math.Min(width - x, 8);
            var writeHeight = Math.Min(height - y, 8);
            fixed (short* block = &blockRef)
            {
                for (var row = 0; row < writeHeight; row++)
                {
                    for (var col = 0; col < writeWidth; col++)
                    {
                        int value = block[row * 8 + col];
                        // ISO/IEC 10918-1 A.3.1 / H.1.2: lossy samples are clamped to 0..2^P-1 after the IDCT and
                        // level shift; lossless samples are exact modulo 2^16, so the short is read as unsigned.
                        value = lossless ? value & _max : Math.Clamp(value, 0, _max);
                        var offset = (((long)(y + row) * width + x + col) * components + componentIndex) * bytesPerSample;
                        if (offset + bytesPerSample > length)
                        {
                            continue;
                        }
                        var p = _output + offset;
                        p[0] = (byte)value;
                        if (bytesPerSample == 2)
                        {
                            p[1] = (byte)(value >> 8);
                        }
                    }
                }
            }
        }
    }
}
