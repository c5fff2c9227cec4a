using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RemoteDx.Dicom.Codecs;

/// <summary>JPEG 2000 (ISO/IEC 15444-1) for PS3.5 A.4.4 (.90 lossless, .91) and High-Throughput JPEG 2000
/// (ISO/IEC 15444-15) for PS3.5 A.4.6 (.201, .202, .203), decoded by Debian's OpenJPEG 2.5 (libopenjp2.so.7) through
/// P/Invoke. A raw codestream (J2K) or a JP2 file is accepted. OpenJPEG already inverts the multiple component
/// transform (RCT/ICT, ISO/IEC 15444-1 G.2/G.3) when the codestream's COD marker asks for it, so frames labelled
/// YBR_RCT or YBR_ICT come back as RGB, as pydicom and GDCM return them; no further colour conversion is done.
/// Encodes a J2K codestream with OpenJPEG's defaults: reversible 5-3 wavelet, one quality layer, no rate limit
/// (lossless, PS3.5 A.4.4 .90), no multiple component transform, 6 resolutions (so each side needs 32 pixels).</summary>
public sealed partial class Jpeg2000Codec : IPixelCodec
{
    private const string CodecName = "JPEG 2000";
    private const string Library = "libopenjp2.so.7";

    /// <summary>sizeof(opj_dparameters_t) in OpenJPEG 2.5.0 is 8252 bytes; the block handed over is larger so a
    /// minor-version growth cannot overrun it. Only the library reads and writes it.</summary>
    private const int DecoderParametersSize = 16384;

    public string Name => CodecName;

    public IReadOnlyList<TransferSyntax> TransferSyntaxes { get; } =
        [TransferSyntax.JPEG2000Lossless, TransferSyntax.JPEG2000, TransferSyntax.HTJ2KLossless, TransferSyntax.HTJ2KLosslessRPCL, TransferSyntax.HTJ2K];

    /// <summary>sizeof(opj_cparameters_t) in OpenJPEG 2.5 is under 20 KB (three 4096-byte paths and the POC table);
    /// the block handed over is larger for the same reason as <see cref="DecoderParametersSize"/>.</summary>
    private const int EncoderParametersSize = 65536;

    public bool CanEncode => true;

    public unsafe void Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        CodecSupport.CheckDestination(destination, size, CodecName);
        destination = destination[..size];
        if (frame.Length < 12)
        {
            throw new DicomCodecException($"{CodecName}: frame of {frame.Length} bytes is too short for a codestream");
        }

        // ISO/IEC 15444-1 A.2: a codestream starts with SOC (FF4F) then SIZ (FF51); I.5.1: a JP2 file with the
        // 12-byte signature box.
        int codecFormat;
        if (frame[0] == 0xFF && frame[1] == 0x4F && frame[2] == 0xFF && frame[3] == 0x51)
        {
            codecFormat = 0; // OPJ_CODEC_J2K
        }
        else if (frame[..12].SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]))
        {
            codecFormat = 2; // OPJ_CODEC_JP2
        }
        else
        {
            throw new DicomCodecException($"{CodecName}: frame starts with neither a J2K codestream (SOC, SIZ) nor a JP2 signature");
        }

        var messages = new List<string>();
        var messagesHandle = GCHandle.Alloc(messages);
        IntPtr codec = IntPtr.Zero, stream = IntPtr.Zero, image = IntPtr.Zero;
        var parameters = (byte*)NativeMemory.AllocZeroed(DecoderParametersSize);
        try
        {
            fixed (byte* source = frame)
            {
                var state = new StreamState { Data = source, Length = frame.Length, Position = 0 };
                try
                {
                    codec = Native.opj_create_decompress(codecFormat);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
                {
                    throw CodecSupport.MissingLibrary(CodecName, Library, "libopenjp2-7", ex);
                }
                if (codec == IntPtr.Zero)
                {
                    throw new DicomCodecException($"{CodecName}: opj_create_decompress failed");
                }
                var handler = (IntPtr)(delegate* unmanaged[Cdecl]<byte*, IntPtr, void>)&OnMessage;
                Native.opj_set_error_handler(codec, handler, GCHandle.ToIntPtr(messagesHandle));
                Native.opj_set_warning_handler(codec, IntPtr.Zero, IntPtr.Zero);
                Native.opj_set_info_handler(codec, IntPtr.Zero, IntPtr.Zero);
                Native.opj_set_default_decoder_parameters(parameters);
                Require(Native.opj_setup_decoder(codec, parameters), "opj_setup_decoder", messages);
                // Tile-component decoding on every core (OpenJPEG >= 2.3); a failure only means single-threaded.
                Native.opj_codec_set_threads(codec, Environment.ProcessorCount);

                stream = Native.opj_stream_create(64 * 1024, 1);
                if (stream == IntPtr.Zero)
                {
                    throw new DicomCodecException($"{CodecName}: opj_stream_create failed");
                }
                // The callbacks are static unmanaged entry points (no delegates to keep alive); the state lives on
                // this stack frame, which outlives every call that can reach them.
                Native.opj_stream_set_read_function(stream, (IntPtr)(delegate* unmanaged[Cdecl]<byte*, nuint, StreamState*, nuint>)&Read);
                Native.opj_stream_set_skip_function(stream, (IntPtr)(delegate* unmanaged[Cdecl]<long, StreamState*, long>)&Skip);
                Native.opj_stream_set_seek_function(stream, (IntPtr)(delegate* unmanaged[Cdecl]<long, StreamState*, int>)&Seek);
                Native.opj_stream_set_user_data(stream, &state, IntPtr.Zero);
                Native.opj_stream_set_user_data_length(stream, (ulong)frame.Length);

                Require(Native.opj_read_header(stream, codec, &image), "opj_read_header", messages);
                if (image == IntPtr.Zero)
                {
                    throw new DicomCodecException($"{CodecName}: opj_read_header returned no image");
                }
                CheckImage((Image*)image, format, afterDecode: false);
                Require(Native.opj_decode(codec, stream, image), "opj_decode", messages);
                Require(Native.opj_end_decompress(codec, stream), "opj_end_decompress", messages);
                CheckImage((Image*)image, format, afterDecode: true);
                Copy((Image*)image, format, destination);
            }
        }
        finally
        {
            if (image != IntPtr.Zero)
            {
                Native.opj_image_destroy(image);
            }
            if (stream != IntPtr.Zero)
            {
                Native.opj_stream_destroy(stream);
            }
            if (codec != IntPtr.Zero)
            {
                Native.opj_destroy_codec(codec);
            }
            NativeMemory.Free(parameters);
            messagesHandle.Free();
        }
        CodecSupport.SignExtend(destination, format);
    }

    /// <summary>Checks the image OpenJPEG describes against the dataset before anything is decoded or copied.</summary>
    private static unsafe void CheckImage(Image* image, PixelFormat format, bool afterDecode)
    {
        var width = (long)image->X1 - image->X0;
        var height = (long)image->Y1 - image->Y0;
        if (width != format.Columns || height != format.Rows)
        {
            throw new DicomCodecException($"{CodecName}: codestream is {width}x{height}, the dataset declares {format.Columns}x{format.Rows} (PS3.5 8.2.4)");
        }
        if (image->NumComps != (uint)format.SamplesPerPixel || image->Comps == null)
        {
            throw new DicomCodecException($"{CodecName}: codestream has {image->NumComps} components, the dataset declares {format.SamplesPerPixel} samples per pixel");
        }
        for (var c = 0; c < format.SamplesPerPixel; c++)
        {
            var comp = &image->Comps[c];
            if (comp->Dx != 1 || comp->Dy != 1)
            {
                throw new DicomCodecException($"{CodecName}: component {c} is subsampled ({comp->Dx}x{comp->Dy}), which DICOM does not use");
            }
            if (comp->Prec < 1 || comp->Prec > (uint)format.BitsAllocated || comp->Prec > 31)
            {
                throw new DicomCodecException($"{CodecName}: component {c} precision {comp->Prec} does not fit Bits Allocated {format.BitsAllocated} (PS3.5 8.2.4)");
            }
            if (afterDecode && (comp->W != (uint)format.Columns || comp->H != (uint)format.Rows || comp->Data == null || comp->Factor != 0))
            {
                throw new DicomCodecException($"{CodecName}: component {c} decoded to {comp->W}x{comp->H}, not {format.Columns}x{format.Rows}");
            }
        }
    }

    private static unsafe void Copy(Image* image, PixelFormat format, Span<byte> destination)
    {
        var pixels = (int)format.PixelsPerFrame;
        var samples = format.SamplesPerPixel;
        var bps = format.BytesPerSample;
        for (var c = 0; c < samples; c++)
        {
            var comp = &image->Comps[c];
            var signed = comp->Sgnd != 0;
            var prec = (int)comp->Prec;
            long min = signed ? -(1L << (prec - 1)) : 0;
            long max = signed ? (1L << (prec - 1)) - 1 : (1L << prec) - 1;
            var data = comp->Data;
            for (var p = 0; p < pixels; p++)
            {
                var value = (int)Math.Clamp(data[p], min, max);
                CodecSupport.WriteSample(destination, (p * samples + c) * bps, bps, value);
            }
        }
    }

    private static void Require(int ok, string step, List<string> messages)
    {
        if (ok == 0)
        {
            var detail = messages.Count == 0 ? "no detail" : string.Join("; ", messages.Select(m => m.Trim()));
            throw new DicomCodecException($"{CodecName}: {step} failed (corrupt or unsupported codestream): {detail}");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnMessage(byte* message, IntPtr clientData)
    {
        try
        {
            if (GCHandle.FromIntPtr(clientData).Target is List<string> list && list.Count < 20 && message != null)
            {
                list.Add(Marshal.PtrToStringUTF8((IntPtr)message) ?? "");
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code.
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe nuint Read(byte* buffer, nuint count, StreamState* state)
    {
        var left = state->Length - state->Position;
        if (left <= 0)
        {
            return unchecked((nuint)(-1)); // end of stream, as opj_stream_read_fn reports it
        }
        var n = (long)Math.Min((ulong)left, count);
        Buffer.MemoryCopy(state->Data + state->Position, buffer, (long)count, n);
        state->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe long Skip(long count, StreamState* state)
    {
        var target = state->Position + count;
        if (target < 0 || target > state->Length)
        {
            return -1;
        }
        state->Position = target;
        return count;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int Seek(long position, StreamState* state)
    {
        if (position < 0 || position > state->Length)
        {
            return 0;
        }
        state->Position = position;
        return 1;
    }

    /// <summary>Lossless J2K codestream of one frame, component precision Bits Stored, signed where Pixel
    /// Representation is 1 (PS3.5 8.2.4).</summary>
    public unsafe byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var size = CodecSupport.CheckFormat(format, CodecName);
        if (frame.Length < size)
        {
            throw new DicomCodecException($"{CodecName}: the frame has {frame.Length} bytes, {size} expected");
        }
        if (format.BitsStored is < 1 or > 16 || format.BitsAllocated > 16)
        {
            throw new DicomCodecException($"{CodecName}: encoding takes Bits Stored 1..16, not {format.BitsStored} in {format.BitsAllocated}");
        }
        var samples = format.SamplesPerPixel;
        var parms = stackalloc ImageComponentParameters[samples];
        for (var c = 0; c < samples; c++)
        {
            parms[c] = new ImageComponentParameters
            {
                Dx = 1, Dy = 1, W = (uint)format.Columns, H = (uint)format.Rows, Prec = (uint)format.BitsStored,
                Sgnd = format.IsSigned ? 1u : 0u,
            };
        }
        var messages = new List<string>();
        var messagesHandle = GCHandle.Alloc(messages);
        var output = new MemoryStream();
        var outputHandle = GCHandle.Alloc(output);
        IntPtr codec = IntPtr.Zero, stream = IntPtr.Zero;
        Image* image = null;
        var parameters = (byte*)NativeMemory.AllocZeroed(EncoderParametersSize);
        try
        {
            try
            {
                // OPJ_CLRSPC_GRAY = 2, OPJ_CLRSPC_SRGB = 1
                image = (Image*)Native.opj_image_create((uint)samples, parms, samples == 1 ? 2 : 1);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                throw CodecSupport.MissingLibrary(CodecName, Library, "libopenjp2-7", ex);
            }
            if (image == null)
            {
                throw new DicomCodecException($"{CodecName}: opj_image_create failed");
            }
            image->X0 = 0;
            image->Y0 = 0;
            image->X1 = (uint)format.Columns;
            image->Y1 = (uint)format.Rows;
            var pixels = (int)format.PixelsPerFrame;
            var bps = format.BytesPerSample;
            var shift = 32 - format.BitsStored;
            for (var c = 0; c < samples; c++)
            {
                var data = image->Comps[c].Data;
                for (var p = 0; p < pixels; p++)
                {
                    var i = (p * samples + c) * bps;
                    var raw = bps == 1 ? frame[i] : frame[i] | (frame[i + 1] << 8);
                    // Sign-extend or mask from Bits Stored: the component's values, whatever the unused high bits hold.
                    data[p] = format.IsSigned ? (raw << shift) >> shift : (int)((uint)(raw << shift) >> shift);
                }
            }

            codec = Native.opj_create_compress(0); // OPJ_CODEC_J2K: a raw codestream, as PS3.5 8.2.4 prefers
            if (codec == IntPtr.Zero)
            {
                throw new DicomCodecException($"{CodecName}: opj_create_compress failed");
            }
            var handler = (IntPtr)(delegate* unmanaged[Cdecl]<byte*, IntPtr, void>)&OnMessage;
            Native.opj_set_error_handler(codec, handler, GCHandle.ToIntPtr(messagesHandle));
            Native.opj_set_warning_handler(codec, IntPtr.Zero, IntPtr.Zero);
            Native.opj_set_info_handler(codec, IntPtr.Zero, IntPtr.Zero);
            // The defaults are lossless: zero layers become one layer without a rate (opj_j2k_setup_encoder), the
            // wavelet is the reversible 5-3 (irreversible = 0).
            Native.opj_set_default_encoder_parameters(parameters);
            Require(Native.opj_setup_encoder(codec, parameters, (IntPtr)image), "opj_setup_encoder", messages);
            Native.opj_codec_set_threads(codec, Environment.ProcessorCount);

            stream = Native.opj_stream_create(64 * 1024, 0);
            if (stream == IntPtr.Zero)
            {
                throw new DicomCodecException($"{CodecName}: opj_stream_create failed");
            }
            Native.opj_stream_set_write_function(stream, (IntPtr)(delegate* unmanaged[Cdecl]<byte*, nuint, IntPtr, nuint>)&Write);
            Native.opj_stream_set_skip_function(stream, (IntPtr)(delegate* unmanaged[Cdecl]<long, IntPtr, long>)&SkipOutput);
            Native.opj_stream_set_seek_function(stream, (IntPtr)(delegate* unmanaged[Cdecl]<long, IntPtr, int>)&SeekOutput);
            Native.opj_stream_set_user_data(stream, (void*)GCHandle.ToIntPtr(outputHandle), IntPtr.Zero);

            Require(Native.opj_start_compress(codec, (IntPtr)image, stream), "opj_start_compress", messages);
            Require(Native.opj_encode(codec, stream), "opj_encode", messages);
            Require(Native.opj_end_compress(codec, stream), "opj_end_compress", messages);
        }
        finally
        {
            if (stream != IntPtr.Zero)
            {
                Native.opj_stream_destroy(stream); // flushes what is still buffered into output
            }
            if (codec != IntPtr.Zero)
            {
                Native.opj_destroy_codec(codec);
            }
            if (image != null)
            {
                Native.opj_image_destroy((IntPtr)image);
            }
            NativeMemory.Free(parameters);
            messagesHandle.Free();
            outputHandle.Free();
        }
        return output.ToArray();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe nuint Write(byte* buffer, nuint count, IntPtr user)
    {
        try
        {
            ((MemoryStream)GCHandle.FromIntPtr(user).Target!).Write(new ReadOnlySpan<byte>(buffer, checked((int)count)));
            return count;
        }
        catch (Exception)
        {
            return unchecked((nuint)(-1));
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static long SkipOutput(long count, IntPtr user)
    {
        try
        {
            var output = (MemoryStream)GCHandle.FromIntPtr(user).Target!;
            output.Position += count;
            return count;
        }
        catch (Exception)
        {
            return -1;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int SeekOutput(long position, IntPtr user)
    {
        try
        {
            ((MemoryStream)GCHandle.FromIntPtr(user).Target!).Position = position;
            return 1;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    public void SelfTest()
    {
        // A 16x16 8-bit reversible (5-3) J2K codestream of value 8*row + column, written by GDCM (gdcmconv --j2k).
        var stream = Convert.FromHexString(SelfTestStream);
        var format = new PixelFormat(16, 16, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1);
        var decoded = new byte[256];
        Decode(stream, format, decoded);
        for (var i = 0; i < 256; i++)
        {
            if (decoded[i] != (i / 16 * 8) + (i % 16))
            {
                throw new DicomCodecException($"{CodecName}: self-test decoded wrong values");
            }
        }
    }

    private const string SelfTestStream =
        "FF4FFF510029000000000010000000100000000000000000000000100000001000000000000000000001070101FF52000C00" +
        "000001000304040001FF5C000D4040484850484850484850FF64002A000143726561746564206279204744434D2F4F70656E" +
        "4A5045472076657273696F6E20322E352E30FF90000A00000000003C0001FF93DF803007AAA8C7517FC07C21C3EA03000CFF" +
        "7F0B3D8AC03A141F38402219037FDD51C01140F9020036A13DA6345FFFD9";

    private unsafe struct StreamState
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    /// <summary>opj_image_cmptparm_t of OpenJPEG 2.5 (openjpeg.h): dx, dy, w, h, x0, y0, prec, bpp (obsolete), sgnd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ImageComponentParameters
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd;
    }

    /// <summary>opj_image_comp_t of OpenJPEG 2.5.0 (openjpeg.h): 11 OPJ_UINT32, the data pointer at offset 48,
    /// OPJ_UINT16 alpha; 64 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct ImageComp
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd, ResnoDecoded, Factor;
        public int* Data;
        public ushort Alpha;
    }

    /// <summary>opj_image_t of OpenJPEG 2.5.0: x0, y0, x1, y1, numcomps, color_space, comps at offset 24, ICC buffer
    /// and length; 48 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Image
    {
        public uint X0, Y0, X1, Y1, NumComps;
        public int ColorSpace;
        public ImageComp* Comps;
        public byte* IccProfileBuf;
        public uint IccProfileLen;
    }

    /// <summary>OpenJPEG 2.5 C API (openjpeg.h); OPJ_BOOL is int, OPJ_OFF_T int64, OPJ_SIZE_T size_t.</summary>
    private static unsafe partial class Native
    {
        [LibraryImport(Library)]
        public static partial IntPtr opj_create_decompress(int format);

        [LibraryImport(Library)]
        public static partial void opj_destroy_codec(IntPtr codec);

        [LibraryImport(Library)]
        public static partial void opj_set_default_decoder_parameters(byte* parameters);

        [LibraryImport(Library)]
        public static partial int opj_setup_decoder(IntPtr codec, byte* parameters);

        [LibraryImport(Library)]
        public static partial int opj_codec_set_threads(IntPtr codec, int threads);

        [LibraryImport(Library)]
        public static partial int opj_set_error_handler(IntPtr codec, IntPtr callback, IntPtr clientData);

        [LibraryImport(Library)]
        public static partial int opj_set_warning_handler(IntPtr codec, IntPtr callback, IntPtr clientData);

        [LibraryImport(Library)]
        public static partial int opj_set_info_handler(IntPtr codec, IntPtr callback, IntPtr clientData);

        [LibraryImport(Library)]
        public static partial IntPtr opj_stream_create(nuint bufferSize, int isInput);

        [LibraryImport(Library)]
        public static partial void opj_stream_destroy(IntPtr stream);

        [LibraryImport(Library)]
        public static partial void opj_stream_set_read_function(IntPtr stream, IntPtr function);

        [LibraryImport(Library)]
        public static partial void opj_stream_set_skip_function(IntPtr stream, IntPtr function);

        [LibraryImport(Library)]
        public static partial void opj_stream_set_seek_function(IntPtr stream, IntPtr function);

        [LibraryImport(Library)]
        public static partial void opj_stream_set_user_data(IntPtr stream, void* data, IntPtr freeFunction);

        [LibraryImport(Library)]
        public static partial void opj_stream_set_user_data_length(IntPtr stream, ulong length);

        [LibraryImport(Library)]
        public static partial int opj_read_header(IntPtr stream, IntPtr codec, IntPtr* image);

        [LibraryImport(Library)]
        public static partial int opj_decode(IntPtr codec, IntPtr stream, IntPtr image);

        [LibraryImport(Library)]
        public static partial int opj_end_decompress(IntPtr codec, IntPtr stream);

        [LibraryImport(Library)]
        public static partial void opj_image_destroy(IntPtr image);

        [LibraryImport(Library)]
        public static partial IntPtr opj_image_create(uint numComponents, ImageComponentParameters* parameters, int colorSpace);

        [LibraryImport(Library)]
        public static partial IntPtr opj_create_compress(int format);

        [LibraryImport(Library)]
        public static partial void opj_set_default_encoder_parameters(byte* parameters);

        [LibraryImport(Library)]
        public static partial int opj_setup_encoder(IntPtr codec, byte* parameters, IntPtr image);

        [LibraryImport(Library)]
        public static partial int opj_start_compress(IntPtr codec, IntPtr image, IntPtr stream);

        [LibraryImport(Library)]
        public static partial int opj_encode(IntPtr codec, IntPtr stream);

        [LibraryImport(Library)]
        public static partial int opj_end_compress(IntPtr codec, IntPtr stream);

        [LibraryImport(Library)]
        public static partial void opj_stream_set_write_function(IntPtr stream, IntPtr function);
    }
}
