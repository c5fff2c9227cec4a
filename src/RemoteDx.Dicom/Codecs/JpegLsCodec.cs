using System.Buffers;
using System.Runtime.InteropServices;

namespace RemoteDx.Dicom.Codecs;

/// <summary>JPEG-LS (ISO/IEC 14495-1) lossless and near-lossless, PS3.5 A.4.3, decoded by Debian's CharLS 2
/// (libcharls.so.2, C API of version 2.4.1) through P/Invoke. Planes of interleave mode "none" are interleaved here.
/// Encodes lossless only (NEAR = 0), samples interleaved (mode "sample"), as PS3.5 A.4.3 allows for 1.2.840.10008.1.2.4.80.</summary>
public sealed partial class JpegLsCodec : IPixelCodec
{
    private const string CodecName = "JPEG-LS";
    private const string Library = "libcharls.so.2";

    public string Name => CodecName;

    public IReadOnlyList<TransferSyntax> TransferSyntaxes { get; } = [TransferSyntax.JPEGLSLossless, TransferSyntax.JPEGLSNearLossless];

    public bool CanEncode => true;

    public void Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        CodecSupport.CheckDestination(destination, size, CodecName);
        destination = destination[..size];
        if (format.BitsAllocated > 16)
        {
            throw new DicomCodecException($"{CodecName}: Bits Allocated {format.BitsAllocated} exceeds JPEG-LS's 16-bit maximum (ISO/IEC 14495-1 C.2.2)");
        }
        if (frame.IsEmpty)
        {
            throw new DicomCodecException($"{CodecName}: the frame is empty");
        }

        IntPtr decoder;
        try
        {
            decoder = Native.charls_jpegls_decoder_create();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw CodecSupport.MissingLibrary(CodecName, Library, "libcharls2", ex);
        }
        if (decoder == IntPtr.Zero)
        {
            throw new DicomCodecException($"{CodecName}: charls_jpegls_decoder_create failed");
        }
        byte[]? rented = null;
        try
        {
            unsafe
            {
                fixed (byte* source = frame)
                {
                    Check(Native.charls_jpegls_decoder_set_source_buffer(decoder, source, (nuint)frame.Length), "set_source_buffer");
                    Check(Native.charls_jpegls_decoder_read_header(decoder), "read_header");
                    FrameInfo info;
                    Check(Native.charls_jpegls_decoder_get_frame_info(decoder, &info), "get_frame_info");
                    int mode;
                    Check(Native.charls_jpegls_decoder_get_interleave_mode(decoder, &mode), "get_interleave_mode");

                    if (info.Width != (uint)format.Columns || info.Height != (uint)format.Rows)
                    {
                        throw new DicomCodecException(
                            $"{CodecName}: stream is {info.Width}x{info.Height}, the dataset declares {format.Columns}x{format.Rows} (PS3.5 8.2.3)");
                    }
                    if (info.ComponentCount != format.SamplesPerPixel)
                    {
                        throw new DicomCodecException(
                            $"{CodecName}: stream has {info.ComponentCount} components, the dataset declares {format.SamplesPerPixel} samples per pixel");
                    }
                    if (info.BitsPerSample < 2 || info.BitsPerSample > format.BitsAllocated)
                    {
                        throw new DicomCodecException(
                            $"{CodecName}: stream sample precision {info.BitsPerSample} does not fit Bits Allocated {format.BitsAllocated} (PS3.5 8.2.3)");
                    }
                    if (mode is < 0 or > 2)
                    {
                        throw new DicomCodecException($"{CodecName}: unknown interleave mode {mode}");
                    }

                    // CharLS writes 1 byte per sample up to 8 bits, 2 (native = little endian here) above.
                    var nativeBytes = info.BitsPerSample > 8 ? 2 : 1;
                    var nativeSize = (long)format.PixelsPerFrame * format.SamplesPerPixel * nativeBytes;
                    nuint required;
                    Check(Native.charls_jpegls_decoder_get_destination_size(decoder, 0, &required), "get_destination_size");
                    if ((long)required != nativeSize)
                    {
                        throw new DicomCodecException($"{CodecName}: decoder wants {required} bytes, the frame has {nativeSize}");
                    }
                    // ISO/IEC 14495-1 B.3: interleave mode 0 (none) codes whole planes one after another; CharLS returns
                    // those planes, which Decode's contract interleaves. Modes 1 (line) and 2 (sample) come back
                    // pixel-interleaved. A narrower native sample also needs widening.
                    var direct = nativeBytes == format.BytesPerSample && (mode != 0 || format.SamplesPerPixel == 1);
                    if (direct)
                    {
                        fixed (byte* output = destination)
                        {
                            Check(Native.charls_jpegls_decoder_decode_to_buffer(decoder, output, (nuint)nativeSize, 0), "decode");
                        }
                    }
                    else
                    {
                        rented = ArrayPool<byte>.Shared.Rent((int)nativeSize);
                        fixed (byte* output = rented)
                        {
                            Check(Native.charls_jpegls_decoder_decode_to_buffer(decoder, output, (nuint)nativeSize, 0), "decode");
                        }
                        Rearrange(rented.AsSpan(0, (int)nativeSize), nativeBytes, planar: mode == 0 && format.SamplesPerPixel > 1, format, destination);
                    }
                }
            }
        }
        finally
        {
            Native.charls_jpegls_decoder_destroy(decoder);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        CodecSupport.SignExtend(destination, format);
    }

    private static void Rearrange(ReadOnlySpan<byte> native, int nativeBytes, bool planar, PixelFormat format, Span<byte> destination)
    {
        var pixels = (int)format.PixelsPerFrame;
        var samples = format.SamplesPerPixel;
        var bps = format.BytesPerSample;
        for (var s = 0; s < samples; s++)
        {
            for (var p = 0; p < pixels; p++)
            {
                var index = planar ? s * pixels + p : p * samples + s;
                var value = nativeBytes == 1 ? native[index] : native[2 * index] | (native[2 * index + 1] << 8);
                CodecSupport.WriteSample(destination, (p * samples + s) * bps, bps, value);
            }
        }
    }

    private static void Check(int error, string step)
    {
        if (error == 0)
        {
            return;
        }
        string message;
        try
        {
            message = Marshal.PtrToStringUTF8(Native.charls_get_error_message(error)) ?? "unknown error";
        }
        catch (EntryPointNotFoundException)
        {
            message = "error " + error;
        }
        throw new DicomCodecException($"{CodecName}: CharLS {step} failed: {message} (code {error})");
    }

    /// <summary>Lossless JPEG-LS of one frame with sample precision Bits Stored (2..16). Signed samples are coded as
    /// their Bits Stored two's complement pattern (PS3.5 8.2.3); <see cref="Decode"/> sign-extends them back.</summary>
    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        if (format.BitsAllocated > 16 || format.BitsStored is < 2 or > 16)
        {
            throw new DicomCodecException($"{CodecName}: Bits Stored {format.BitsStored} in {format.BitsAllocated} is outside JPEG-LS's 2..16 (ISO/IEC 14495-1 C.2.2)");
        }
        if (frame.Length < size)
        {
            throw new DicomCodecException($"{CodecName}: the frame has {frame.Length} bytes, {size} expected");
        }
        // CharLS reads 1 byte per sample up to 8 bits of precision, 2 (little endian here) above.
        var nativeBytes = format.BitsStored > 8 ? 2 : 1;
        var samples = (int)(format.PixelsPerFrame * format.SamplesPerPixel);
        var mask = (1 << format.BitsStored) - 1;
        var source = new byte[samples * nativeBytes];
        var bps = format.BytesPerSample;
        for (var i = 0; i < samples; i++)
        {
            var value = (bps == 1 ? frame[i] : frame[i * bps] | (frame[i * bps + 1] << 8)) & mask;
            if (nativeBytes == 1)
            {
                source[i] = (byte)value;
            }
            else
            {
                source[2 * i] = (byte)value;
                source[2 * i + 1] = (byte)(value >> 8);
            }
        }

        IntPtr encoder;
        try
        {
            encoder = Native.charls_jpegls_encoder_create();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw CodecSupport.MissingLibrary(CodecName, Library, "libcharls2", ex);
        }
        if (encoder == IntPtr.Zero)
        {
            throw new DicomCodecException($"{CodecName}: charls_jpegls_encoder_create failed");
        }
        try
        {
            unsafe
            {
                var info = new FrameInfo
                {
                    Width = (uint)format.Columns,
                    Height = (uint)format.Rows,
                    BitsPerSample = format.BitsStored,
                    ComponentCount = format.SamplesPerPixel,
                };
                Check(Native.charls_jpegls_encoder_set_frame_info(encoder, &info), "set_frame_info");
                Check(Native.charls_jpegls_encoder_set_near_lossless(encoder, 0), "set_near_lossless");
                // ISO/IEC 14495-1 B.3: mode 2 (sample) takes the pixel-interleaved layout as it is.
                Check(Native.charls_jpegls_encoder_set_interleave_mode(encoder, format.SamplesPerPixel > 1 ? 2 : 0), "set_interleave_mode");
                nuint estimated;
                Check(Native.charls_jpegls_encoder_get_estimated_destination_size(encoder, &estimated), "get_estimated_destination_size");
                var destination = new byte[(int)estimated];
                nuint written;
                fixed (byte* output = destination)
                fixed (byte* input = source)
                {
                    Check(Native.charls_jpegls_encoder_set_destination_buffer(encoder, output, (nuint)destination.Length), "set_destination_buffer");
                    Check(Native.charls_jpegls_encoder_encode_from_buffer(encoder, input, (nuint)source.Length, 0), "encode");
                    Check(Native.charls_jpegls_encoder_get_bytes_written(encoder, &written), "get_bytes_written");
                }
                return destination.AsSpan(0, (int)written).ToArray();
            }
        }
        finally
        {
            Native.charls_jpegls_encoder_destroy(encoder);
        }
    }

    public void SelfTest()
    {
        // A 4x4 8-bit lossless JPEG-LS image (ISO/IEC 14495-1, written by DCMTK's dcmcjpls) of values 0..15.
        byte[] stream = Convert.FromHexString(
            "FFD8FFF7000B080004000401011100FFDA0008010100000000ADA4D312A370FFFFD9");
        var format = new PixelFormat(4, 4, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1);
        var decoded = new byte[16];
        try
        {
            Decode(stream, format, decoded);
        }
        catch (DllNotFoundException ex)
        {
            throw CodecSupport.MissingLibrary(CodecName, Library, "libcharls2", ex);
        }
        for (var i = 0; i < 16; i++)
        {
            if (decoded[i] != i)
            {
                throw new DicomCodecException($"{CodecName}: self-test decoded wrong values");
            }
        }
    }

    /// <summary>charls_frame_info (charls/public_types.h, CharLS 2.4.1).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    /// <summary>CharLS 2.x C API (charls/charls_jpegls_decoder.h); charls_jpegls_errc is an int, 0 = success.</summary>
    private static unsafe partial class Native
    {
        [LibraryImport(Library)]
        public static partial IntPtr charls_jpegls_decoder_create();

        [LibraryImport(Library)]
        public static partial void charls_jpegls_decoder_destroy(IntPtr decoder);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_decoder_set_source_buffer(IntPtr decoder, byte* source, nuint size);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_decoder_read_header(IntPtr decoder);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_decoder_get_frame_info(IntPtr decoder, FrameInfo* info);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_decoder_get_interleave_mode(IntPtr decoder, int* mode);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_decoder_get_destination_size(IntPtr decoder, uint stride, nuint* size);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_decoder_decode_to_buffer(IntPtr decoder, byte* destination, nuint size, uint stride);

        [LibraryImport(Library)]
        public static partial IntPtr charls_get_error_message(int error);

        // charls/charls_jpegls_encoder.h
        [LibraryImport(Library)]
        public static partial IntPtr charls_jpegls_encoder_create();

        [LibraryImport(Library)]
        public static partial void charls_jpegls_encoder_destroy(IntPtr encoder);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_set_frame_info(IntPtr encoder, FrameInfo* info);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_set_near_lossless(IntPtr encoder, int near);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_set_interleave_mode(IntPtr encoder, int mode);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_get_estimated_destination_size(IntPtr encoder, nuint* size);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_set_destination_buffer(IntPtr encoder, byte* destination, nuint size);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_encode_from_buffer(IntPtr encoder, byte* source, nuint size, uint stride);

        [LibraryImport(Library)]
        public static partial int charls_jpegls_encoder_get_bytes_written(IntPtr encoder, nuint* size);
    }
}
