using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RemoteDx.Dicom.IO;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Malformed;

/// <summary>Generated datasets survive a write and a read in every uncompressed-header syntax, and no mutation of a
/// real file makes the reader fail with anything but a <see cref="DicomException"/>.</summary>
public sealed class ReaderPropertyTests
{
    private static readonly DicomReadOptions Bounded = new() { MaxInflatedBytes = 64L * 1024 * 1024 };
    private const long MaxFrameBytes = 64L * 1024 * 1024;

    // ---- (a) round trip of generated datasets ----

    private static readonly string[] StringVRs = ["LO", "SH", "CS", "UI", "LT", "UT", "PN", "DS", "IS", "ST"];
    private static readonly string[] BinaryVRs = ["OB", "OW", "US", "UL", "SS", "SL", "FL", "FD", "OF", "AT"];

    /// <summary>Private tags (odd groups, elements above the creator block), so that neither the data dictionary
    /// nor UN re-interpretation changes what implicit VR reads back.</summary>
    private static Gen<ushort> Group => Gen.Choose(0x0004, 0x07FF).Select(g => (ushort)(2 * g + 1));

    private static Gen<byte[]> StringValue =>
        from n in Gen.Choose(0, 16)
        from chars in Gen.ArrayOf(Gen.Elements("ABCXYZ0123456789.^ -_".ToCharArray()), n)
        select Encoding.ASCII.GetBytes(new string(chars).PadRight(n + n % 2));

    private static Gen<byte[]> BinaryValue(int size) =>
        from count in Gen.Choose(0, 12)
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), size * count * (size == 1 ? 2 : 1))
        select bytes;

    private static Gen<DicomElement> Leaf(Tag tag) =>
        Gen.OneOf(
            from vr in Gen.Elements(StringVRs)
            from v in StringValue
            select new DicomElement(tag, VRInfo.Parse(vr), v),
            from vr in Gen.Elements(BinaryVRs)
            from v in BinaryValue(SizeOf(vr))
            select new DicomElement(tag, VRInfo.Parse(vr), v));

    private static Gen<Dataset> DatasetGen(int depth, int maxElements) =>
        from n in Gen.Choose(0, maxElements)
        from groups in Gen.ListOf(Group, n)
        from elements in Gen.ArrayOf(Gen.Choose(0x1000, 0xFFFF), n)
        from undefined in Gen.Elements(false, true)
        from built in Gen.CollectToList(
            groups.Select((g, i) => new Tag(g, (ushort)elements[i])).Distinct().OrderBy(t => t.Value),
            t => depth > 0 ? Gen.Frequency((4, Leaf(t)), (1, SequenceGen(t, depth - 1))) : Leaf(t))
        select Assemble(built, undefined);

    private static Gen<DicomElement> SequenceGen(Tag tag, int depth) =>
        from count in Gen.Choose(0, 3)
        from items in Gen.ListOf(DatasetGen(depth, 4), count)
        from undefined in Gen.Elements(false, true)
        select (DicomElement)new DicomSequence(tag, items) { UndefinedLength = undefined };

    private static Dataset Assemble(IEnumerable<DicomElement> elements, bool undefinedLength)
    {
        var ds = new Dataset { UndefinedLength = undefinedLength };
        foreach (var e in elements)
        {
            ds.Set(e);
        }
        return ds;
    }

    private static Arbitrary<Dataset> Datasets => Arb.From(Gen.Sized(size => DatasetGen(depth: 3, maxElements: Math.Clamp(size / 4, 1, 12))));

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property Explicit_VR_little_endian_reads_back_what_was_written() => RoundTrip(TransferSyntax.ExplicitVRLittleEndian);

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property Explicit_VR_big_endian_reads_back_what_was_written() => RoundTrip(TransferSyntax.ExplicitVRBigEndian);

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property Deflated_explicit_VR_reads_back_what_was_written() => RoundTrip(TransferSyntax.DeflatedExplicitVRLittleEndian);

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property Implicit_VR_reads_back_what_was_written() =>
        Prop.ForAll(Datasets, ds =>
        {
            // Implicit VR loses the VR (these tags are private, so they read back as UN, and defined-length
            // sequences as their bytes): what must survive is every byte, so writing again reproduces the file.
            var bytes = Write(ds, TransferSyntax.ImplicitVRLittleEndian);
            var again = DicomReader.Read(new MemoryStream(bytes));
            Assert.Equal(TransferSyntax.ImplicitVRLittleEndian, again.TransferSyntax);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Write(again.Dataset, TransferSyntax.ImplicitVRLittleEndian)));
        });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_value_of_several_megabytes_from_a_source_of_unknown_length_reads_back_whole(bool deflated)
    {
        // Deflated, or not seekable: the reader cannot trust the length and reads such a value in chunks.
        var value = new byte[3 * 1024 * 1024 + 6];
        new Random(7).NextBytes(value);
        var ds = new Dataset();
        ds.Set(new DicomElement(new Tag(0x0009, 0x1010), VR.OB, value));
        var bytes = Write(ds, deflated ? TransferSyntax.DeflatedExplicitVRLittleEndian : TransferSyntax.ExplicitVRLittleEndian);
        var again = DicomReader.Read(deflated ? new MemoryStream(bytes) : new NonSeekable(bytes));
        Assert.True(value.AsSpan().SequenceEqual(again.Dataset[new Tag(0x0009, 0x1010)]!.Buffer.Span));
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static Property RoundTrip(TransferSyntax syntax) =>
        Prop.ForAll(Datasets, ds =>
        {
            var bytes = Write(ds, syntax);
            var again = DicomReader.Read(new MemoryStream(bytes));
            Assert.Equal(syntax, again.TransferSyntax);
            Assert.Equal(Describe(ds), Describe(again.Dataset));
        });

    private static byte[] Write(Dataset ds, TransferSyntax syntax)
    {
        var file = new DicomFile(ds, syntax);
        file.BuildFileMetaInformation();
        return file.ToBytes();
    }

    /// <summary>Element by element: tag, VR, every value byte, and for sequences and items whether the length was
    /// defined.</summary>
    private static string Describe(Dataset ds)
    {
        var sb = new StringBuilder();
        Describe(sb, ds, "");
        return sb.ToString();
    }

    private static void Describe(StringBuilder sb, Dataset ds, string indent)
    {
        foreach (var e in ds)
        {
            sb.Append(indent).Append(e.Tag).Append(' ').Append(VRInfo.Name(e.VR));
            if (e is DicomSequence sq)
            {
                sb.Append(sq.UndefinedLength ? " undefined\n" : " defined\n");
                foreach (var item in sq.Items)
                {
                    sb.Append(indent).Append(" item ").Append(item.UndefinedLength ? "undefined\n" : "defined\n");
                    Describe(sb, item, indent + "  ");
                }
            }
            else
            {
                sb.Append(' ').Append(Convert.ToHexString(e.Buffer.Span)).Append('\n');
            }
        }
    }

    private static int SizeOf(string vr) => vr switch
    {
        "OB" => 1,
        "OW" or "US" or "SS" => 2,
        "FD" => 8,
        _ => 4,
    };

    // ---- (b) mutations of real files ----

    private enum Kind
    {
        Flip,
        Set,
        Insert,
        Delete,
        Truncate,
        Length,
    }

    private sealed record Mutation(Kind Kind, double Where, byte Value, int Count, uint Length)
    {
        public override string ToString() => $"{Kind}@{Where:F4} value={Value} count={Count} length=0x{Length:X8}";
    }

    // Lengths that have broken readers: undefined, huge, just past the end, odd, zero.
    private static readonly uint[] InterestingLengths = [0xFFFFFFFF, 0xFFFFFFF0, 0x7FFFFFFF, 0x80000000, 0x00010000, 0xFFFF, 0, 1, 3, 7, 0xFFFE];

    private static Gen<Mutation> MutationGen =>
        from kind in Gen.Elements(Enum.GetValues<Kind>())
        from position in Gen.Choose(0, 1_000_000).Select(i => i / 1_000_000.0)
        from value in Gen.Choose(0, 255)
        from count in Gen.Choose(1, 16)
        from length in Gen.Elements(InterestingLengths)
        select new Mutation(kind, position, (byte)value, count, length);

    private static Arbitrary<Mutation[]> Mutations => Arb.From(Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(MutationGen, n)));

    /// <summary>1000 keeps CI fast; set REMOTEDX_MUTATIONS for a longer local run.</summary>
    private static int MutationsPerFile =>
        int.TryParse(Environment.GetEnvironmentVariable("REMOTEDX_MUTATIONS"), out var n) && n > 0 ? n : 1000;

    public static TheoryData<string> MutatedFiles() =>
        ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "image_dfl.dcm", "ExplVR_BigEnd.dcm", "SC_rgb_rle_2frame.dcm"];

    [Theory]
    [MemberData(nameof(MutatedFiles))]
    public void Mutated_files_parse_or_fail_with_a_DicomException(string name)
    {
        var original = File.ReadAllBytes(Path.Combine(Tool.PydicomTestFiles, name));
        // The header sits in the first few hundred bytes: bias a third of the mutations there, where they bite.
        // One in four goes through a file with lazy pixel data, the way the CLI reads.
        var path = Path.Combine(TempDirectory.ForTestRun(), "mutated.dcm");
        var property = Prop.ForAll(Mutations, Arb.From(Gen.Choose(0, 7)), (mutations, how) =>
        {
            var headerOnly = how % 2 == 0;
            var bytes = Apply(original, mutations, headerOnly ? Math.Min(original.Length, 1024) : original.Length);
            ParseEverything(bytes, how >= 6 ? path : null);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(MutationsPerFile).WithQuietOnSuccess(true), property);
    }

    /// <summary>What a user of the library does with a file: read it, dump it as text and JSON, decode frame 0.
    /// Succeeding is fine; failing with a DicomException is fine; anything else escapes and fails the test.</summary>
    internal static void ParseEverything(byte[] bytes, string? viaFile = null)
    {
        try
        {
            DicomFile file;
            if (viaFile is null)
            {
                file = DicomReader.Read(new MemoryStream(bytes), Bounded);
            }
            else
            {
                File.WriteAllBytes(viaFile, bytes);
                file = DicomReader.ReadFile(viaFile, Bounded with { LazyPixelData = true });
            }
            _ = DatasetDumper.Dump(file);
            _ = DicomJson.Serialize(file.Dataset);
            if (file.Dataset.Contains(Tag.PixelData))
            {
                _ = PixelDataDecoder.DecodeFrame(file, 0, MaxFrameBytes);
            }
        }
        catch (DicomException)
        {
        }
    }

    private static byte[] Apply(byte[] original, Mutation[] mutations, int span)
    {
        var b = new List<byte>(original);
        foreach (var m in mutations)
        {
            if (b.Count == 0)
            {
                break;
            }
            var at = Math.Min(b.Count - 1, (int)(m.Where * Math.Min(span, b.Count)));
            switch (m.Kind)
            {
                case Kind.Flip:
                    b[at] ^= (byte)(1 << (m.Value & 7));
                    break;
                case Kind.Set:
                    b[at] = m.Value;
                    break;
                case Kind.Insert:
                    b.InsertRange(at, Enumerable.Repeat(m.Value, m.Count));
                    break;
                case Kind.Delete:
                    b.RemoveRange(at, Math.Min(m.Count, b.Count - at));
                    break;
                case Kind.Truncate:
                    b.RemoveRange(at, b.Count - at);
                    break;
                case Kind.Length:
                    // Overwrite what may be a length field (2 or 4 bytes) with a value that lies.
                    for (var i = 0; i < 4 && at + i < b.Count && (i < 2 || m.Count % 2 == 0); i++)
                    {
                        b[at + i] = (byte)(m.Length >> (8 * i));
                    }
                    break;
            }
        }
        return [.. b];
    }
}
