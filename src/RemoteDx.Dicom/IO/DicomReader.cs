using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Text;

namespace RemoteDx.Dicom.IO;

/// <summary>Parses Part 10 files and bare datasets in every uncompressed-header transfer syntax. PS3.5 7, PS3.10 7.</summary>
public static class DicomReader
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    /// <summary>Reads a Part 10 file (or a bare dataset without preamble/meta, read as implicit VR LE unless it is
    /// plainly explicit).</summary>
    public static DicomFile ReadFile(string path, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Read(fs, options, path);
    }

    public static DicomFile Read(Stream stream, DicomReadOptions? options = null) => Read(stream, options ?? DicomReadOptions.Default, null);

    private static DicomFile Read(Stream stream, DicomReadOptions options, string? path)
    {
        long length = -1;
        if (stream.CanSeek)
        {
            length = stream.Length - stream.Position;
        }
        var start = stream.CanSeek ? stream.Position : 0;
        var input = new DicomInput(stream, start, length);
        var file = new DicomFile();

        Span<byte> head = stackalloc byte[132];
        var hasPreamble = input.TryPeek(head) && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        if (hasPreamble)
        {
            file.Preamble = input.Read(128).ToArray();
            input.Read(4);
        }
        else
        {
            Span<byte> probe = stackalloc byte[8];
            if (!input.TryPeek(probe))
            {
                throw new DicomFormatException("not DICOM: fewer than 8 bytes and no 'DICM' marker", 0);
            }
        }

        // File Meta Information: always explicit VR little endian. PS3.10 7.1.
        Span<byte> tagBytes = stackalloc byte[6];
        var hasMeta = input.TryPeek(tagBytes[..6]) && BinaryPrimitives.ReadUInt16LittleEndian(tagBytes) == 0x0002
            && VRInfo.TryParse(tagBytes[4], tagBytes[5], out _);
        TransferSyntax syntax;
        if (hasMeta)
        {
            var ctx = new Context(input, false, true, options, path);
            while (input.TryPeek(tagBytes[..2]) && BinaryPrimitives.ReadUInt16LittleEndian(tagBytes) == 0x0002)
            {
                var e = ReadElement(ctx, file.FileMetaInformation, 0);
                if (e is null)
                {
                    throw new DicomFormatException("delimitation item in File Meta Information", input.Position);
                }
                file.FileMetaInformation.Set(e);
            }
            var tsUid = file.FileMetaInformation.GetString(Tag.TransferSyntaxUID);
            // Without (0002,0010) the encoding is guessed from the first data element, as DCMTK does.
            syntax = string.IsNullOrEmpty(tsUid) ? GuessSyntax(input) : TransferSyntax.Lookup(tsUid);
        }
        else if (hasPreamble)
        {
            if (input.AtEnd)
            {
                throw new DicomFormatException("nothing follows the 'DICM' marker: no File Meta Information and no dataset", input.Position);
            }
            syntax = GuessSyntax(input);
        }
        else
        {
            syntax = GuessSyntax(input);
            // Without preamble or meta we still require something that looks like a dataset: a plausible first tag.
            Span<byte> first = stackalloc byte[8];
            input.TryPeek(first);
            var group = syntax.IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(first) : BinaryPrimitives.ReadUInt16LittleEndian(first);
            if (group is 0 or > 0x7FE0 && group != 0xFFFE || (group is not (0x0000 or 0x0008 or 0x0010 or 0x0018 or 0x0020 or 0x0028)
                && !(group >= 0x0008 && group <= 0x0100)))
            {
                throw new DicomFormatException($"not DICOM: no preamble, no 'DICM' marker and first group {group:X4} is not a dataset's", 0);
            }
        }
        file.TransferSyntax = syntax;
        if (!syntax.IsKnown)
        {
            // PS3.5 A.4 makes every compressed syntax explicit VR little endian, so the data set is read that way; when
            // that fails, the unknown syntax is the cause worth reporting, not the first element that did not parse.
            try
            {
                ReadDataset(new Context(input, false, true, options, path), file.Dataset, 0, -1);
            }
            catch (DicomFormatException ex)
            {
                throw new DicomTransferSyntaxException(syntax.Uid, "reading the data set as Explicit VR Little Endian failed: " + ex.Message, ex);
            }
            return file;
        }

        if (syntax.IsDeflated)
        {
            // PS3.5 A.5: the dataset after the meta group is raw deflate (RFC 1951).
            var inflater = new DeflateStream(new StreamTail(input), CompressionMode.Decompress);
            var capped = new CappedStream(inflater, options.MaxInflatedBytes);
            var inner = new DicomInput(capped, 0);
            ReadDataset(new Context(inner, syntax.IsBigEndian, syntax.IsExplicitVR, options, null), file.Dataset, 0, -1);
        }
        else
        {
            ReadDataset(new Context(input, syntax.IsBigEndian, syntax.IsExplicitVR, options, path), file.Dataset, 0, -1);
        }
        return file;
    }

    /// <summary>Reads a bare dataset (no preamble or meta) in the given transfer syntax, e.g. a DIMSE data set.</summary>
    public static Dataset ReadDataset(Stream stream, TransferSyntax syntax, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        var ds = new Dataset();
        long length = stream.CanSeek ? stream.Length - stream.Position : -1;
        Stream source = stream;
        if (syntax.IsDeflated)
        {
            source = new CappedStream(new DeflateStream(stream, CompressionMode.Decompress, leaveOpen: true), options.MaxInflatedBytes);
            length = -1;
        }
        var input = new DicomInput(source, 0, length);
        ReadDataset(new Context(input, syntax.IsBigEndian, syntax.IsExplicitVR, options, null), ds, 0, -1);
        return ds;
    }

    /// <summary>Reads a bare dataset file (no preamble or meta), e.g. one received over the network; with
    /// <see cref="DicomReadOptions.LazyPixelData"/> the pixel data stays on disk until asked for.</summary>
    public static Dataset ReadDatasetFile(string path, TransferSyntax syntax, DicomReadOptions? options = null, long offset = 0)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return ReadDatasetFile(fs, path, syntax, options, offset);
    }

    /// <summary>As <see cref="ReadDatasetFile(string, TransferSyntax, DicomReadOptions?, long)"/>, for a file of
    /// <paramref name="fileLength"/> bytes whose first bytes <paramref name="head"/> are already in memory: the file
    /// is read only for what lies past them (with lazy pixel data, usually nothing).</summary>
    public static Dataset ReadDatasetFile(string path, ReadOnlyMemory<byte> head, long fileLength, TransferSyntax syntax,
        DicomReadOptions? options = null, long offset = 0)
    {
        using var fs = new HeadThenFileStream(path, head, fileLength);
        return ReadDatasetFile(fs, path, syntax, options, offset);
    }

    private static Dataset ReadDatasetFile(Stream fs, string path, TransferSyntax syntax, DicomReadOptions? options, long offset)
    {
        options ??= DicomReadOptions.Default;
        if (offset < 0 || offset > fs.Length)
        {
            throw new DicomFormatException($"data set offset {offset} is outside the file", offset);
        }
        fs.Seek(offset, SeekOrigin.Begin);
        if (syntax.IsDeflated)
        {
            return ReadDataset(fs, syntax, options);
        }
        var ds = new Dataset();
        var input = new DicomInput(fs, offset, fs.Length - offset);
        ReadDataset(new Context(input, syntax.IsBigEndian, syntax.IsExplicitVR, options, path), ds, 0, -1);
        return ds;
    }

    private static TransferSyntax GuessSyntax(DicomInput input)
    {
        Span<byte> b = stackalloc byte[6];
        if (!input.TryPeek(b))
        {
            return TransferSyntax.ImplicitVRLittleEndian;
        }
        if (VRInfo.TryParse(b[4], b[5], out _))
        {
            // A big-endian group number reads as a large little-endian one (0x0800 for 0008).
            var le = BinaryPrimitives.ReadUInt16LittleEndian(b);
            var be = BinaryPrimitives.ReadUInt16BigEndian(b);
            return le > 0x00FF && be <= 0x00FF ? TransferSyntax.ExplicitVRBigEndian : TransferSyntax.ExplicitVRLittleEndian;
        }
        return TransferSyntax.ImplicitVRLittleEndian;
    }

    private sealed record Context(DicomInput Input, bool BigEndian, bool Explicit, DicomReadOptions Options, string? Path);

    /// <summary>Reads elements until <paramref name="endOffset"/> (defined length) or an item/sequence delimiter
    /// (undefined length, endOffset -1) or the end of data at top level.</summary>
    private static void ReadDataset(Context ctx, Dataset ds, int depth, long endOffset)
    {
        var input = ctx.Input;
        Span<byte> t = stackalloc byte[4];
        while (true)
        {
            if (endOffset >= 0)
            {
                if (input.Position == endOffset)
                {
                    return;
                }
                if (input.Position > endOffset)
                {
                    throw new DicomFormatException($"element runs past the end of its item (item ends at {endOffset})", input.Position);
                }
            }
            else if (depth == 0 && input.AtEnd)
            {
                return;
            }
            if (depth == 0 && ctx.Options.StopBeforePixelData)
            {
                if (input.TryPeek(t))
                {
                    var g = ctx.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(t) : BinaryPrimitives.ReadUInt16LittleEndian(t);
                    var el = ctx.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(t[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(t[2..]);
                    if (((uint)g << 16 | el) >= Tag.PixelData.Value)
                    {
                        return;
                    }
                }
            }
            var offset = input.Position;
            var e = ReadElement(ctx, ds, depth);
            if (e is null)
            {
                if (endOffset >= 0 || depth == 0)
                {
                    // Item delimiter inside a defined-length item or at top level: tolerated like DCMTK, but only
                    // when it is the delimiter of an undefined-length container would it mean something.
                    if (depth == 0)
                    {
                        continue;
                    }
                    throw new DicomFormatException("unexpected Item Delimitation Item inside a defined-length item", offset);
                }
                return;
            }
            // Out-of-order tags are kept in tag order; a repeated tag keeps the last value.
            ds.Set(e);
        }
    }

    /// <summary>Reads one element; returns null for an Item Delimitation Item (end of an undefined-length item).</summary>
    private static DicomElement? ReadElement(Context ctx, Dataset owner, int depth)
    {
        var input = ctx.Input;
        var offset = input.Position;
        var group = input.ReadUInt16(ctx.BigEndian);
        var element = input.ReadUInt16(ctx.BigEndian);
        var tag = new Tag(group, element);

        if (group == 0xFFFE)
        {
            var len = input.ReadUInt32(ctx.BigEndian);
            if (element == 0xE00D)
            {
                return null;
            }
            throw new DicomFormatException(element == 0xE0DD
                ? "unexpected Sequence Delimitation Item outside a sequence"
                : $"unexpected item tag with length {len} outside a sequence", offset, tag);
        }

        VR vr;
        uint length;
        var explicitHere = ctx.Explicit || group == 0x0002 && !ctx.BigEndian;
        if (explicitHere)
        {
            var vrBytes = input.Read(2, tag);
            if (!VRInfo.TryParse(vrBytes[0], vrBytes[1], out vr))
            {
                throw new DicomFormatException($"invalid VR bytes 0x{vrBytes[0]:X2}{vrBytes[1]:X2}", offset + 4, tag);
            }
            if (VRInfo.HasLongLength(vr))
            {
                input.Read(2, tag);
                length = input.ReadUInt32(ctx.BigEndian);
            }
            else
            {
                length = input.ReadUInt16(ctx.BigEndian);
            }
        }
        else
        {
            length = input.ReadUInt32(ctx.BigEndian);
            vr = ImplicitVR(tag, owner);
        }

        var sourceVR = vr;
        if (vr == VR.UN && ctx.Options.ReinterpretUN && DicomDictionary.Lookup(tag) is { } entry && entry.VR != VR.UN)
        {
            vr = ResolveAmbiguous(tag, entry, owner);
        }

        if (vr == VR.SQ || length == UndefinedLength && sourceVR == VR.UN)
        {
            // UN of undefined length is an implicit VR LE sequence. PS3.5 6.2.2.
            var unSequence = sourceVR == VR.UN;
            var seqCtx = unSequence ? ctx with { Explicit = false, BigEndian = false } : ctx;
            var seq = ReadSequence(seqCtx, tag, length, owner, depth, offset);
            seq.SourceVR = sourceVR;
            return seq;
        }

        if (length == UndefinedLength)
        {
            if (tag == Tag.PixelData || vr is VR.OB or VR.OW)
            {
                return ReadFragments(ctx, tag, vr, depth, offset);
            }
            throw new DicomFormatException($"undefined length is not allowed for VR {VRInfo.Name(vr)}", offset, tag);
        }

        if (depth == 0 && tag == Tag.PixelData && ctx.Options.LazyPixelData && ctx.Path is { } path && input.CanSeek)
        {
            var valueOffset = input.Position;
            input.Skip(length, tag);
            var bigEndian = ctx.BigEndian;
            var len = length;
            var lazyVR = vr;
            var max = ctx.Options.MaxValueLength;
            return new DicomElement(tag, vr, length, () => LoadRange(path, valueOffset, len, max, tag, lazyVR, bigEndian))
            {
                SourceVR = sourceVR,
                Source = new LazyValueSource(path, valueOffset, max, bigEndian),
            };
        }

        var value = input.ReadValue(length, tag, ctx.Options.MaxValueLength);
        if (ctx.BigEndian && sourceVR != VR.UN)
        {
            SwapToLittleEndian(value, vr);
        }
        return new DicomElement(tag, vr, value) { SourceVR = sourceVR };
    }

    private static ReadOnlyMemory<byte> LoadRange(string path, long offset, long length, long maxLength, Tag tag, VR vr, bool bigEndian)
    {
        CheckLoadable(length, maxLength, offset, tag);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (offset + length > fs.Length)
        {
            throw new DicomFormatException("file shrank since it was read", offset, tag);
        }
        fs.Seek(offset, SeekOrigin.Begin);
        var buf = GC.AllocateUninitializedArray<byte>((int)length);
        fs.ReadExactly(buf);
        if (bigEndian)
        {
            SwapToLittleEndian(buf, vr);
        }
        return buf;
    }

    /// <summary>A lazily read value is held in one array when loaded: the same limits as an eager read apply.</summary>
    private static void CheckLoadable(long length, long maxLength, long offset, Tag tag)
    {
        if (length > maxLength || length > Array.MaxLength)
        {
            throw new DicomLimitException($"value length {length} at tag {tag} (offset {offset}) exceeds the limit of {Math.Min(maxLength, Array.MaxLength)} bytes");
        }
    }

    private static DicomSequence ReadSequence(Context ctx, Tag tag, uint length, Dataset owner, int depth, long offset)
    {
        if (depth + 1 > ctx.Options.MaxDepth)
        {
            throw new DicomLimitException($"sequence nesting deeper than {ctx.Options.MaxDepth} at tag {tag} (offset {offset})");
        }
        // Whatever MaxDepth says, the parser recurses per level: stop while the stack still has room.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new DicomLimitException($"sequence nesting of {depth + 1} levels exhausts the stack at tag {tag} (offset {offset})");
        }
        var input = ctx.Input;
        var seq = new DicomSequence(tag) { UndefinedLength = length == UndefinedLength };
        long end = -1;
        if (length != UndefinedLength)
        {
            if (length > input.Remaining)
            {
                throw new DicomFormatException($"sequence length {length} exceeds the {input.Remaining} bytes left", offset, tag);
            }
            end = input.Position + length;
        }
        while (true)
        {
            if (end >= 0)
            {
                if (input.Position == end)
                {
                    break;
                }
                if (input.Position > end)
                {
                    throw new DicomFormatException($"item runs past the end of its sequence (sequence ends at {end})", input.Position, tag);
                }
            }
            var itemOffset = input.Position;
            var g = input.ReadUInt16(ctx.BigEndian);
            var el = input.ReadUInt16(ctx.BigEndian);
            var itemLength = input.ReadUInt32(ctx.BigEndian);
            if (g == 0xFFFE && el == 0xE0DD)
            {
                if (end >= 0)
                {
                    // A delimiter in a defined-length sequence: tolerated (DCMTK accepts it) if it ends exactly.
                    continue;
                }
                break;
            }
            if (g != 0xFFFE || el != 0xE000)
            {
                throw new DicomFormatException($"expected an Item tag in sequence {tag}, found {new Tag(g, el)}", itemOffset, tag);
            }
            var item = new Dataset(owner) { UndefinedLength = itemLength == UndefinedLength };
            long itemEnd = -1;
            if (itemLength != UndefinedLength)
            {
                if (itemLength > input.Remaining)
                {
                    throw new DicomFormatException($"item length {itemLength} exceeds the {input.Remaining} bytes left", itemOffset, tag);
                }
                itemEnd = input.Position + itemLength;
                if (end >= 0 && itemEnd > end)
                {
                    throw new DicomFormatException($"item length {itemLength} runs past the end of sequence {tag}", itemOffset, tag);
                }
            }
            ReadDataset(ctx, item, depth + 1, itemEnd);
            seq.Items.Add(item);
        }
        return seq;
    }

    private static DicomFragments ReadFragments(Context ctx, Tag tag, VR vr, int depth, long offset)
    {
        var input = ctx.Input;
        var lazy = depth == 0 && ctx.Options.LazyPixelData && ctx.Path is not null && input.CanSeek;
        var items = new List<ReadOnlyMemory<byte>>();
        var lengths = new List<long>();
        var offsets = new List<long>();
        while (true)
        {
            var itemOffset = input.Position;
            var g = input.ReadUInt16(ctx.BigEndian);
            var el = input.ReadUInt16(ctx.BigEndian);
            var len = input.ReadUInt32(ctx.BigEndian);
            if (g == 0xFFFE && el == 0xE0DD)
            {
                break;
            }
            if (g != 0xFFFE || el != 0xE000)
            {
                throw new DicomFormatException($"expected a fragment Item in encapsulated {tag}, found {new Tag(g, el)}", itemOffset, tag);
            }
            if (len == UndefinedLength)
            {
                throw new DicomFormatException("fragment item with undefined length", itemOffset, tag);
            }
            lengths.Add(len);
            offsets.Add(input.Position);
            if (lazy)
            {
                input.Skip(len, tag);
            }
            else
            {
                items.Add(input.ReadValue(len, tag, ctx.Options.MaxValueLength));
            }
        }
        if (lengths.Count == 0)
        {
            throw new DicomFormatException("encapsulated pixel data has no Basic Offset Table item", offset, tag);
        }
        if (lazy)
        {
            return new DicomFragments(tag, vr, ctx.Path!, offsets, lengths, ctx.Options.MaxValueLength) { SourceVR = vr };
        }
        return new DicomFragments(tag, vr, items[0], items.Skip(1)) { SourceVR = vr };
    }

    /// <summary>VR for implicit VR encoding, from the dictionary; ambiguous entries resolved from context.</summary>
    private static VR ImplicitVR(Tag tag, Dataset owner)
    {
        if (tag.IsGroupLength)
        {
            return VR.UL;
        }
        if (tag.IsPrivate)
        {
            return tag.IsPrivateCreator ? VR.LO : VR.UN;
        }
        var entry = DicomDictionary.Lookup(tag);
        return entry is null ? VR.UN : ResolveAmbiguous(tag, entry, owner);
    }

    /// <summary>Picks one VR for "US or SS", "OB or OW" entries. PS3.5 Annex A.1 (c).</summary>
    private static VR ResolveAmbiguous(Tag tag, DictionaryEntry entry, Dataset owner)
    {
        if (entry.VRs.Length <= 1)
        {
            return entry.VR;
        }
        if (entry.VRs.Contains(VR.OW))
        {
            return VR.OW;
        }
        if (entry.VRs.Contains(VR.US) && entry.VRs.Contains(VR.SS))
        {
            return owner.GetInt(Tag.PixelRepresentation) == 1 && tag != Tag.LUTDescriptor ? VR.SS : VR.US;
        }
        return entry.VR;
    }

    internal static void SwapToLittleEndian(Span<byte> value, VR vr)
    {
        var size = VRInfo.ValueSize(vr);
        if (vr == VR.AT)
        {
            size = 2;
        }
        var whole = value.Length / size * size;
        // Vectorised in the runtime; the swap is its own inverse, so the writer uses it too.
        switch (size)
        {
            case 2:
                var s16 = MemoryMarshal.Cast<byte, ushort>(value[..whole]);
                BinaryPrimitives.ReverseEndianness(s16, s16);
                break;
            case 4:
                var s32 = MemoryMarshal.Cast<byte, uint>(value[..whole]);
                BinaryPrimitives.ReverseEndianness(s32, s32);
                break;
            case 8:
                var s64 = MemoryMarshal.Cast<byte, ulong>(value[..whole]);
                BinaryPrimitives.ReverseEndianness(s64, s64);
                break;
        }
    }
}
