using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RemoteDx.Dicom.Imaging;

/// <summary>The grayscale pipeline for MONOCHROME1 and MONOCHROME2: Modality LUT, VOI LUT, then MONOCHROME1
/// inversion, to 8-bit display values. PS3.3 C.11, PS3.4 N.2.1.</summary>
internal static class GrayscaleRenderer
{
    /// <summary>Stored ranges up to this many values go through one precomputed stored-to-display table.</summary>
    private const long MaxTableEntries = 1 << 16;

    public static void Render(byte[] stored, PixelFormat f, Dataset ds, RenderOptions options, Span<byte> output)
    {
        if (f.SamplesPerPixel != 1)
        {
            throw new DicomFormatException($"{f.PhotometricInterpretation} needs Samples per Pixel 1, not {f.SamplesPerPixel}", tag: Tag.SamplesPerPixel);
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new DicomException("rendering assumes a little-endian machine");
        }
        var modality = ModalityLut.For(ds, options.Frame, f);
        var padding = PaddingRange(ds, f);
        StoredStats? stats = null;
        StoredStats Stats() => stats ??= Scan(stored, f, padding);

        var voi = VoiTransform.Select(ds, options, modality, f, () =>
        {
            var s = Stats();
            return modality.OutputRange(s.Min, s.Max);
        });
        // PS3.3 C.7.6.3.1.2: MONOCHROME1 shows the minimum value as white, so invert after the VOI.
        var invert = (f.PhotometricInterpretation == "MONOCHROME1") ^ options.Invert;

        long tableMin, tableMax;
        if (f.BytesPerSample <= 2)
        {
            (tableMin, tableMax) = VoiTransform.StoredRange(f);
        }
        else
        {
            var s = Stats();
            (tableMin, tableMax) = (s.AllMin, s.AllMax);
        }
        if (tableMax - tableMin + 1 <= MaxTableEntries)
        {
            var table = new byte[tableMax - tableMin + 1];
            for (var i = 0; i < table.Length; i++)
            {
                table[i] = ToByte(voi.Apply(modality.Apply(tableMin + i)), invert);
            }
            if (!MapSmall(stored, f, table, (int)-tableMin, output))
            {
                Dispatch(new TableMapper(table, tableMin), stored, f, output);
            }
        }
        else
        {
            Dispatch(new DirectMapper(modality, voi, invert), stored, f, output);
        }
    }

    /// <summary>The common case, 8- and 16-bit samples through a table indexed by value + offset, as plain loops
    /// the JIT turns into one load and one store per pixel.</summary>
    private static bool MapSmall(byte[] stored, PixelFormat f, byte[] table, int offset, Span<byte> output)
    {
        var n = output.Length;
        switch (f.BytesPerSample, f.IsSigned)
        {
            case (1, false):
            {
                var src = stored.AsSpan(0, n);
                for (var i = 0; i < src.Length; i++)
                {
                    output[i] = table[src[i] + offset];
                }
                return true;
            }
            case (1, true):
            {
                var src = MemoryMarshal.Cast<byte, sbyte>(stored.AsSpan(0, n));
                for (var i = 0; i < src.Length; i++)
                {
                    output[i] = table[src[i] + offset];
                }
                return true;
            }
            case (2, false):
            {
                var src = MemoryMarshal.Cast<byte, ushort>(stored.AsSpan(0, 2 * n));
                for (var i = 0; i < src.Length; i++)
                {
                    output[i] = table[src[i] + offset];
                }
                return true;
            }
            case (2, true):
            {
                var src = MemoryMarshal.Cast<byte, short>(stored.AsSpan(0, 2 * n));
                for (var i = 0; i < src.Length; i++)
                {
                    output[i] = table[src[i] + offset];
                }
                return true;
            }
            default:
                return false;
        }
    }

    private static byte ToByte(double y, bool invert)
    {
        var b = y >= 255 ? 255 : y > 0 ? (int)(y + 0.5) : 0;
        return (byte)(invert ? 255 - b : b);
    }

    /// <summary>Pixel Padding Value and Pixel Padding Range Limit in stored-value units (PS3.3 C.7.5.1.1.2), left out of
    /// the automatic window so that the padding around a CT field of view does not flatten it.</summary>
    private static (long Lo, long Hi)? PaddingRange(Dataset ds, PixelFormat f)
    {
        if (ReadWord(ds, Tag.PixelPaddingValue, f.IsSigned) is not { } a)
        {
            return null;
        }
        var b = ReadWord(ds, Tag.PixelPaddingRangeLimit, f.IsSigned) ?? a;
        return (Math.Min(a, b), Math.Max(a, b));
    }

    // US or SS as the Pixel Representation says; read from the raw bytes so an implicit VR (UN) value works too.
    private static long? ReadWord(Dataset ds, Tag tag, bool signed)
    {
        var e = ds[tag];
        if (e is null || e is DicomSequence || e.Buffer.Length < 2)
        {
            return null;
        }
        var w = BinaryPrimitives.ReadUInt16LittleEndian(e.Buffer.Span);
        return signed || e.VR == VR.SS ? (short)w : w;
    }

    /// <summary>Smallest and largest stored values of the frame: all of them, and those outside the padding range
    /// (the same when there is no padding, or when every pixel is padding).</summary>
    private readonly record struct StoredStats(long AllMin, long AllMax, long Min, long Max);

    private static StoredStats Scan(byte[] stored, PixelFormat f, (long Lo, long Hi)? padding) => (f.BytesPerSample, f.IsSigned) switch
    {
        (1, false) => Scan<byte>(stored, padding),
        (1, true) => Scan<sbyte>(MemoryMarshal.Cast<byte, sbyte>(stored.AsSpan()), padding),
        (2, false) => Scan<ushort>(MemoryMarshal.Cast<byte, ushort>(stored.AsSpan()), padding),
        (2, true) => Scan<short>(MemoryMarshal.Cast<byte, short>(stored.AsSpan()), padding),
        (4, false) => Scan<uint>(MemoryMarshal.Cast<byte, uint>(stored.AsSpan()), padding),
        (4, true) => Scan<int>(MemoryMarshal.Cast<byte, int>(stored.AsSpan()), padding),
        _ => throw new DicomFormatException($"grayscale images with Bits Allocated {f.BitsAllocated} are not supported", tag: Tag.BitsAllocated),
    };

    private static StoredStats Scan<T>(ReadOnlySpan<T> values, (long Lo, long Hi)? padding)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        if (values.IsEmpty)
        {
            return new StoredStats(0, 0, 0, 0);
        }
        var min = T.MaxValue;
        var max = T.MinValue;
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= 2 * Vector<T>.Count)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
            var vmin = vectors[0];
            var vmax = vectors[0];
            foreach (var v in vectors)
            {
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
            }
            for (var k = 0; k < Vector<T>.Count; k++)
            {
                min = T.Min(min, vmin[k]);
                max = T.Max(max, vmax[k]);
            }
            i = vectors.Length * Vector<T>.Count;
        }
        for (; i < values.Length; i++)
        {
            min = T.Min(min, values[i]);
            max = T.Max(max, values[i]);
        }
        long allMin = long.CreateTruncating(min), allMax = long.CreateTruncating(max);
        if (padding is not { } pad || pad.Hi < allMin || pad.Lo > allMax)
        {
            return new StoredStats(allMin, allMax, allMin, allMax);
        }
        long lo = long.MaxValue, hi = long.MinValue;
        foreach (var t in values)
        {
            var v = long.CreateTruncating(t);
            if (v < pad.Lo || v > pad.Hi)
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }
        return lo > hi ? new StoredStats(allMin, allMax, allMin, allMax) : new StoredStats(allMin, allMax, lo, hi);
    }

    private interface IPixelMapper
    {
        byte Map(long stored);
    }

    private readonly struct TableMapper(byte[] table, long min) : IPixelMapper
    {
        public byte Map(long stored) => table[(int)(stored - min)];
    }

    private readonly struct DirectMapper(ModalityLut modality, VoiTransform voi, bool invert) : IPixelMapper
    {
        public byte Map(long stored) => ToByte(voi.Apply(modality.Apply(stored)), invert);
    }

    private static void Dispatch<TMapper>(TMapper mapper, byte[] stored, PixelFormat f, Span<byte> output)
        where TMapper : struct, IPixelMapper
    {
        switch (f.BytesPerSample, f.IsSigned)
        {
            case (1, false): Map<byte, TMapper>(stored, mapper, output); break;
            case (1, true): Map<sbyte, TMapper>(MemoryMarshal.Cast<byte, sbyte>(stored.AsSpan()), mapper, output); break;
            case (2, false): Map<ushort, TMapper>(MemoryMarshal.Cast<byte, ushort>(stored.AsSpan()), mapper, output); break;
            case (2, true): Map<short, TMapper>(MemoryMarshal.Cast<byte, short>(stored.AsSpan()), mapper, output); break;
            case (4, false): Map<uint, TMapper>(MemoryMarshal.Cast<byte, uint>(stored.AsSpan()), mapper, output); break;
            case (4, true): Map<int, TMapper>(MemoryMarshal.Cast<byte, int>(stored.AsSpan()), mapper, output); break;
            default: throw new DicomFormatException($"grayscale images with Bits Allocated {f.BitsAllocated} are not supported", tag: Tag.BitsAllocated);
        }
    }

    // Generic over the sample type and the mapper so the JIT emits one specialised loop per combination.
    private static void Map<T, TMapper>(ReadOnlySpan<T> values, TMapper mapper, Span<byte> output)
        where T : unmanaged, IBinaryInteger<T>
        where TMapper : struct, IPixelMapper
    {
        var n = Math.Min(values.Length, output.Length);
        for (var i = 0; i < n; i++)
        {
            output[i] = mapper.Map(long.CreateTruncating(values[i]));
        }
    }
}
