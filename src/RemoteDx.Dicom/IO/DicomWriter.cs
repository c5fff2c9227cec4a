using System.Buffers.Binary;
using System.IO.Compression;

namespace RemoteDx.Dicom.IO;

/// <summary>Encodes datasets in any uncompressed-header transfer syntax and Part 10 files. PS3.5 7, PS3.10 7.</summary>
public static class DicomWriter
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    public static void WriteFile(Stream stream, DicomFile file, DicomWriteOptions? options = null)
    {
        options ??= DicomWriteOptions.Default;
        var preamble = file.Preamble ?? new byte[128];
        if (preamble.Length != 128)
        {
            throw new DicomException($"preamble must be 128 bytes, not {preamble.Length}");
        }
        stream.Write(preamble);
        stream.Write("DICM"u8);

        var meta = file.FileMetaInformation;
        if (options.UpdateMetaGroupLength)
        {
            meta.Remove(Tag.FileMetaInformationGroupLength);
            var metaCtx = new Context(false, true, options);
            long size = 0;
            foreach (var e in meta)
            {
                size += Measure(metaCtx, e);
            }
            var rebuilt = new Dataset();
            rebuilt.SetUInt32(Tag.FileMetaInformationGroupLength, checked((uint)size));
            foreach (var e in meta)
            {
                rebuilt.Set(e);
            }
            file.FileMetaInformation = meta = rebuilt;
        }
        WriteDataset(stream, meta, new Context(false, true, options));

        var ts = file.TransferSyntax;
        if (ts.IsDeflated)
        {
            WriteDeflated(stream, file.Dataset, ts, options);
        }
        else
        {
            WriteDataset(stream, file.Dataset, new Context(ts.IsBigEndian, ts.IsExplicitVR, options));
        }
    }

    /// <summary>Writes a bare dataset (no preamble or meta) in the given transfer syntax.</summary>
    public static void WriteDataset(Stream stream, Dataset dataset, TransferSyntax syntax, DicomWriteOptions? options = null)
    {
        options ??= DicomWriteOptions.Default;
        if (syntax.IsDeflated)
        {
            WriteDeflated(stream, dataset, syntax, options);
            return;
        }
        WriteDataset(stream, dataset, new Context(syntax.IsBigEndian, syntax.IsExplicitVR, options));
    }

    /// <summary>PS3.5 A.5: the data set as raw deflate (RFC 1951), followed by a single null pad byte when the deflated
    /// stream has odd length, so that the encoded data set has even length like every other.</summary>
    private static void WriteDeflated(Stream stream, Dataset dataset, TransferSyntax syntax, DicomWriteOptions options)
    {
        var counted = new CountingStream(stream);
        using (var deflate = new DeflateStream(counted, options.DeflateLevel, leaveOpen: true))
        using (var buffered = new BufferedStream(deflate, 64 * 1024))
        {
            WriteDataset(buffered, dataset, new Context(syntax.IsBigEndian, syntax.IsExplicitVR, options));
        }
        if ((counted.Written & 1) == 1)
        {
            stream.WriteByte(0);
        }
    }

    private sealed record Context(bool BigEndian, bool Explicit, DicomWriteOptions Options);

    private static void WriteDataset(Stream s, Dataset ds, Context ctx)
    {
        foreach (var e in ds)
        {
            WriteElement(s, e, ctx);
        }
    }

    private static VR EncodedVR(DicomElement e, Context ctx) =>
        ctx.Options.PreserveUN && e.SourceVR == VR.UN ? VR.UN : e.VR;

    private static void WriteElement(Stream s, DicomElement e, Context ctx)
    {
        var vr = EncodedVR(e, ctx);
        switch (e)
        {
            case DicomSequence sq:
            {
                // A sequence that arrived as UN keeps UN and its implicit VR little endian content. PS3.5 6.2.2.
                var inner = vr == VR.UN ? ctx with { Explicit = false, BigEndian = false } : ctx;
                var length = sq.UndefinedLength ? UndefinedLength : checked((uint)MeasureSequenceValue(inner, sq));
                WriteHeader(s, e.Tag, vr, length, ctx);
                foreach (var item in sq.Items)
                {
                    var itemLength = item.UndefinedLength ? UndefinedLength : checked((uint)MeasureItemValue(inner, item));
                    WriteTagLength(s, Tag.Item, itemLength, inner.BigEndian);
                    WriteDataset(s, item, inner);
                    if (item.UndefinedLength)
                    {
                        WriteTagLength(s, Tag.ItemDelimitationItem, 0, inner.BigEndian);
                    }
                }
                if (sq.UndefinedLength)
                {
                    WriteTagLength(s, Tag.SequenceDelimitationItem, 0, inner.BigEndian);
                }
                return;
            }
            case DicomFragments frags:
            {
                WriteHeader(s, e.Tag, vr == VR.UN ? VR.OB : vr, UndefinedLength, ctx);
                var bot = frags.OffsetTable;
                WriteTagLength(s, Tag.Item, (uint)bot.Length, ctx.BigEndian);
                s.Write(bot.Span);
                foreach (var f in frags.Fragments)
                {
                    WriteTagLength(s, Tag.Item, (uint)f.Length, ctx.BigEndian);
                    s.Write(f.Span);
                }
                WriteTagLength(s, Tag.SequenceDelimitationItem, 0, ctx.BigEndian);
                return;
            }
            default:
            {
                var value = e.Buffer.Span;
                WriteHeader(s, e.Tag, vr, (uint)value.Length, ctx);
                if (ctx.BigEndian && vr != VR.UN && VRInfo.ValueSize(e.VR) > 1 || ctx.BigEndian && e.VR == VR.AT)
                {
                    var copy = value.ToArray();
                    DicomReader.SwapToLittleEndian(copy, e.VR); // the swap is its own inverse
                    s.Write(copy);
                }
                else
                {
                    s.Write(value);
                }
                return;
            }
        }
    }

    private static void WriteHeader(Stream s, Tag tag, VR vr, uint length, Context ctx)
    {
        Span<byte> h = stackalloc byte[12];
        var be = ctx.BigEndian;
        WriteU16(h, tag.Group, be);
        WriteU16(h[2..], tag.Element, be);
        if (!ctx.Explicit)
        {
            WriteU32(h[4..], length, be);
            s.Write(h[..8]);
            return;
        }
        var name = VRInfo.Name(vr == VR.None ? VR.UN : vr);
        h[4] = (byte)name[0];
        h[5] = (byte)name[1];
        if (VRInfo.HasLongLength(vr))
        {
            h[6] = 0;
            h[7] = 0;
            WriteU32(h[8..], length, be);
            s.Write(h);
            return;
        }
        if (length > 0xFFFF)
        {
            throw new DicomException($"value of {tag} ({length} bytes) is too long for VR {name} in explicit VR");
        }
        WriteU16(h[6..], (ushort)length, be);
        s.Write(h[..8]);
    }

    private static void WriteTagLength(Stream s, Tag tag, uint length, bool be)
    {
        Span<byte> h = stackalloc byte[8];
        WriteU16(h, tag.Group, be);
        WriteU16(h[2..], tag.Element, be);
        WriteU32(h[4..], length, be);
        s.Write(h);
    }

    private static void WriteU16(Span<byte> b, ushort v, bool be)
    {
        if (be)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        }
    }

    private static void WriteU32(Span<byte> b, uint v, bool be)
    {
        if (be)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        }
    }

    /// <summary>Encoded size of an element, header included.</summary>
    private static long Measure(Context ctx, DicomElement e)
    {
        var vr = EncodedVR(e, ctx);
        long header = !ctx.Explicit ? 8 : VRInfo.HasLongLength(vr) || e is DicomSequence || e is DicomFragments ? 12 : 8;
        switch (e)
        {
            case DicomSequence sq:
            {
                var inner = vr == VR.UN ? ctx with { Explicit = false, BigEndian = false } : ctx;
                return header + MeasureSequenceValue(inner, sq) + (sq.UndefinedLength ? 8 : 0);
            }
            case DicomFragments f:
            {
                long size = header + 8 + f.OffsetTable.Length + 8;
                foreach (var frag in f.Fragments)
                {
                    size += 8 + frag.Length;
                }
                return size;
            }
            default:
                return header + (e.IsLoaded ? e.Buffer.Length : e.Length);
        }
    }

    private static long MeasureSequenceValue(Context ctx, DicomSequence sq)
    {
        long size = 0;
        foreach (var item in sq.Items)
        {
            size += 8 + MeasureItemValue(ctx, item) + (item.UndefinedLength ? 8 : 0);
        }
        return size;
    }

    private static long MeasureItemValue(Context ctx, Dataset item)
    {
        long size = 0;
        foreach (var e in item)
        {
            size += Measure(ctx, e);
        }
        return size;
    }
}
