using System.Text;
using System.Text.RegularExpressions;
using RemoteDx.Dicom.IO;
using RemoteDx.Testing;
using static RemoteDx.Dicom.Tests.Malformed.MalformedFiles;

namespace RemoteDx.Dicom.Tests.Malformed;

/// <summary>Every kind of bad input ends in a RemoteDx.Dicom exception that says where, quickly and without
/// allocating what the bytes merely claim.</summary>
public sealed partial class MalformedInputTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private const long SmallAllocation = 10L * 1024 * 1024;

    [GeneratedRegex(@"\([0-9A-F]{4},[0-9A-F]{4}\)|offset \d+")]
    private static partial Regex TagOrOffset();

    // ---- the file as a whole ----

    [Fact]
    public async Task An_empty_file_is_rejected_at_offset_0()
    {
        var ex = await Fails<DicomFormatException>(() => Read([]));
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public async Task Three_bytes_are_rejected() => await Fails<DicomFormatException>(() => Read([0x08, 0x00, 0x05]));

    [Fact]
    public async Task A_preamble_and_DICM_with_nothing_after_are_rejected()
    {
        var ex = await Fails<DicomFormatException>(() => Read(new DicomBytes().Raw(new byte[128]).Raw("DICM"u8).ToArray()));
        Assert.Equal(132, ex.Offset);
    }

    public static TheoryData<string> NotDicomKinds() => ["png", "random", "text", "pdf"];

    [Theory]
    [MemberData(nameof(NotDicomKinds))]
    public async Task Bytes_that_are_not_DICOM_are_rejected(string kind)
    {
        byte[] bytes = kind switch
        {
            "png" => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0],
            "random" => RandomBytes(4096, seed: 17),
            "text" => Encoding.UTF8.GetBytes("Patient: Doe^John\nStudy: chest\n" + new string('x', 500)),
            _ => Encoding.ASCII.GetBytes("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        };
        await Fails<DicomFormatException>(() => Read(bytes));
    }

    [Fact]
    public async Task Random_bytes_after_a_preamble_are_rejected()
    {
        var bytes = new DicomBytes().Raw(new byte[128]).Raw("DICM"u8).Raw(RandomBytes(2000, seed: 5)).ToArray();
        await Fails<DicomFormatException>(() => Read(bytes));
    }

    // ---- truncation and lying lengths ----

    [Theory]
    [InlineData(true, "tag")]
    [InlineData(true, "vr")]
    [InlineData(true, "length")]
    [InlineData(true, "value")]
    [InlineData(false, "tag")]
    [InlineData(false, "length")]
    [InlineData(false, "value")]
    public async Task A_file_truncated_inside_an_element_names_where(bool explicitVR, string where)
    {
        var b = DicomBytes.Part10(explicitVR ? DicomBytes.ExplicitLE : DicomBytes.ImplicitLE);
        b.Element(0x0008, 0x0060, "CS", DicomBytes.Text("CT"));
        var start = (int)b.Length;
        b.Element(0x0010, 0x0010, "PN", DicomBytes.Text("Doe^John"));
        var full = b.ToArray();
        var cut = where switch
        {
            "tag" => start + 2,
            "vr" => start + 5,
            "length" => start + (explicitVR ? 7 : 6),
            _ => full.Length - 3,
        };
        var ex = await Fails<DicomFormatException>(() => Read(full[..cut]));
        Assert.True(ex.Offset >= start, $"offset {ex.Offset} is before the truncated element at {start}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_4GB_value_length_in_a_200_byte_file_allocates_nothing_for_it(bool seekable)
    {
        // A bare explicit VR dataset (no preamble or meta), so the whole file is 200 bytes.
        var b = new DicomBytes();
        b.Element(0x0008, 0x0060, "CS", DicomBytes.Text("CT"));
        b.Header(0x0010, 0x4000, "UT", 0xFFFFFFF0);
        b.Raw(new byte[200 - b.Length]);
        var bytes = b.ToArray();
        Assert.Equal(200, bytes.Length);

        var ex = await Fails<DicomException>(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Read(bytes, seekable: seekable);
            }
            finally
            {
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, SmallAllocation);
            }
        });
        Assert.Contains("(0010,4000)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_2GB_value_length_on_a_stream_of_unknown_length_grows_only_with_the_data()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Header(0x0042, 0x0011, "OB", 0x7FFF0000);
        b.Raw(new byte[3000]);
        var bytes = b.ToArray();
        var ex = await Fails<DicomFormatException>(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Read(bytes, seekable: false);
            }
            finally
            {
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, SmallAllocation);
            }
        });
        Assert.Equal(new Tag(0x0042, 0x0011), ex.Tag);
    }

    [Fact]
    public async Task Undefined_length_on_a_non_sequence_VR_is_rejected()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Header(0x0010, 0x4000, "UT", 0xFFFFFFFF).Raw(new byte[64]);
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(new Tag(0x0010, 0x4000), ex.Tag);
    }

    [Fact]
    public async Task An_item_longer_than_its_sequence_is_rejected()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Header(0x0008, 0x1115, "SQ", 20).Item(100);
        b.Element(0x0008, 0x1150, "UI", DicomBytes.Uid("1.2.3"));
        b.Raw(new byte[120]);
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(new Tag(0x0008, 0x1115), ex.Tag);
    }

    [Fact]
    public async Task A_sequence_longer_than_the_file_is_rejected()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Header(0x0008, 0x1115, "SQ", 5000).Item(12).Element(0x0008, 0x1150, "UI", DicomBytes.Uid("1.2.3"));
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(new Tag(0x0008, 0x1115), ex.Tag);
    }

    [Fact]
    public async Task An_item_tag_where_a_data_element_belongs_is_rejected()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Item(8).Raw(new byte[8]);
        await Fails<DicomFormatException>(() => Read(b.ToArray()));
    }

    [Fact]
    public async Task A_non_item_tag_inside_a_sequence_is_rejected()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Header(0x0008, 0x1115, "SQ", 0xFFFFFFFF).Element(0x0008, 0x1150, "UI", DicomBytes.Uid("1.2.3")).SequenceDelimiter();
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(new Tag(0x0008, 0x1115), ex.Tag);
    }

    [Fact]
    public async Task Invalid_VR_bytes_in_an_explicit_VR_file_are_rejected()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Element(0x0008, 0x0060, "CS", DicomBytes.Text("CT"));
        b.Tag(0x0010, 0x0010).Raw("Q!"u8).Raw([8, 0]).Raw("Doe^John"u8);
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(new Tag(0x0010, 0x0010), ex.Tag);
    }

    // ---- nesting ----

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Sequences_nested_10000_deep_hit_the_depth_limit(bool explicitVR, bool undefinedLengths)
    {
        var bytes = Nested(10_000, explicitVR, undefinedLengths);
        var ex = await Fails<DicomLimitException>(() => Read(bytes));
        Assert.Contains("nesting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nesting_without_a_depth_limit_stops_before_the_stack_runs_out()
    {
        var bytes = Nested(100_000, explicitVR: true, undefinedLengths: true);
        await Fails<DicomLimitException>(() => Read(bytes, new DicomReadOptions { MaxDepth = int.MaxValue }));
    }

    // ---- deflate ----

    [Fact]
    public async Task A_deflate_bomb_stops_at_the_inflated_size_cap()
    {
        var dataset = new DicomBytes();
        dataset.Element(0x0008, 0x0060, "CS", DicomBytes.Text("OT"));
        dataset.Element(0x0042, 0x0011, "OB", new byte[8 * 1024 * 1024]);
        var deflated = DicomBytes.Deflate(dataset.ToArray());
        Assert.True(deflated.Length < 64 * 1024);
        var bytes = DicomBytes.Part10(DicomBytes.DeflatedLE).Raw(deflated).ToArray();

        await Fails<DicomLimitException>(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Read(bytes, new DicomReadOptions { MaxInflatedBytes = 1024 * 1024 });
            }
            finally
            {
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, SmallAllocation);
            }
        });
    }

    [Fact]
    public async Task A_corrupt_deflate_stream_is_a_format_error()
    {
        var bytes = DicomBytes.Part10(DicomBytes.DeflatedLE).Raw([0xFF, 0xFF, 0xFF, 0xFF, 0x12, 0x34, 0x56, 0x78]).ToArray();
        await Fails<DicomFormatException>(() => Read(bytes));
    }

    [Fact]
    public async Task A_deflate_stream_cut_short_is_a_format_error()
    {
        var dataset = new DicomBytes();
        dataset.Element(0x0008, 0x0060, "CS", DicomBytes.Text("OT"));
        dataset.Element(0x0010, 0x4000, "UT", RandomBytes(4000, seed: 3));
        var deflated = DicomBytes.Deflate(dataset.ToArray());
        var bytes = DicomBytes.Part10(DicomBytes.DeflatedLE).Raw(deflated.AsSpan(0, deflated.Length / 2)).ToArray();
        await Fails<DicomFormatException>(() => Read(bytes));
    }

    // ---- pixel data ----

    [Fact]
    public async Task Absurd_dimensions_fail_before_the_frame_is_allocated()
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 65535, columns: 65535, samples: 3, bitsAllocated: 32, frames: null);
        b.Element(0x7FE0, 0x0010, "OW", new byte[64]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomLimitException>(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                PixelDataDecoder.DecodeFrame(file, 0);
            }
            finally
            {
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, SmallAllocation);
            }
        });
        Assert.Contains("65535", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_over_a_configured_cap_fails_before_allocation()
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 512, columns: 512, samples: 1, bitsAllocated: 16, frames: null);
        b.Element(0x7FE0, 0x0010, "OW", new byte[512 * 512 * 2]);
        var file = Read(b.ToArray());
        await Fails<DicomLimitException>(() => PixelDataDecoder.DecodeFrame(file, 0, maxFrameBytes: 100_000));
    }

    [Fact]
    public async Task Bits_Allocated_7_is_rejected()
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 7, frames: null);
        b.Element(0x7FE0, 0x0010, "OB", new byte[16]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(new Tag(0x0028, 0x0100), ex.Tag);
    }

    [Fact]
    public async Task Pixel_data_shorter_than_the_frame_names_pixel_data()
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 16, columns: 16, samples: 1, bitsAllocated: 16, frames: null);
        b.Element(0x7FE0, 0x0010, "OW", new byte[100]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(Tag.PixelData, ex.Tag);
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pixel_data_whose_length_runs_past_the_end_of_the_file_names_pixel_data(bool lazy)
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 16, columns: 16, samples: 1, bitsAllocated: 16, frames: null);
        b.Header(0x7FE0, 0x0010, "OW", 512).Raw(new byte[100]);
        var path = Path.Combine(TempDirectory.ForTestRun(), "short.dcm");
        File.WriteAllBytes(path, b.ToArray());
        var ex = await Fails<DicomFormatException>(() =>
        {
            var file = DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = lazy });
            PixelDataDecoder.DecodeFrame(file, 0);
        });
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Lazy_pixel_data_of_3GB_fails_on_load_with_a_limit_where_a_frame_needs_all_of_it(bool encapsulated)
    {
        var b = Image(encapsulated ? DicomBytes.JpegBaseline : DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 8, frames: null);
        const uint huge = 0xC0000000;
        if (encapsulated)
        {
            b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(huge);
        }
        else
        {
            b.Header(0x7FE0, 0x0010, "OB", huge);
        }
        var path = Path.Combine(TempDirectory.ForTestRun(), "sparse.dcm");
        using (var fs = File.Create(path))
        {
            fs.Write(b.ToArray());
            // Sparse: the file is as long as the value claims without taking the disk space.
            fs.SetLength(fs.Length + huge);
            if (encapsulated)
            {
                fs.Seek(0, SeekOrigin.End);
                fs.Write(new DicomBytes().SequenceDelimiter().ToArray());
            }
        }
        var file = DicomReader.ReadFile(path, new DicomReadOptions { LazyPixelData = true });
        if (!encapsulated)
        {
            // A native frame lies at a known offset: it is read alone, whatever the size of the whole value.
            Assert.Equal(new byte[16], PixelDataDecoder.DecodeFrame(file, 0));
            var whole = await Fails<DicomLimitException>(() => _ = file.Dataset[Tag.PixelData]!.Buffer);
            Assert.Contains("(7FE0,0010)", whole.Message, StringComparison.Ordinal);
            return;
        }
        var ex = await Fails<DicomLimitException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Contains("(7FE0,0010)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encapsulated_pixel_data_with_no_items_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: null);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).SequenceDelimiter();
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Fact]
    public async Task Encapsulated_pixel_data_that_just_ends_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: null);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]);
        await Fails<DicomFormatException>(() => Read(b.ToArray()));
    }

    [Fact]
    public async Task Garbage_where_fragment_items_belong_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: null);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Raw("GARBAGE!GARBAGE!"u8);
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Fact]
    public async Task A_fragment_longer_than_the_file_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: null);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(0x10000000).Raw([0xFF, 0xD8, 0xFF, 0xD9]);
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Fact]
    public async Task A_fragment_with_undefined_length_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: null);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(0xFFFFFFFF).Raw([0xFF, 0xD8, 0xFF, 0xD9]).SequenceDelimiter();
        var ex = await Fails<DicomFormatException>(() => Read(b.ToArray()));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Fact]
    public async Task An_offset_table_pointing_at_nowhere_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: "2");
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(8).Raw(DicomBytes.UL(0, 999_999));
        b.Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]).Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]).SequenceDelimiter();
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 1));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Fact]
    public async Task An_extended_offset_table_pointing_at_nowhere_is_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: "2");
        b.Element(0x7FE0, 0x0001, "OV", [.. BitConverter.GetBytes(0UL), .. BitConverter.GetBytes(ulong.MaxValue - 3)]);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0);
        b.Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]).Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]).SequenceDelimiter();
        var file = Read(b.ToArray());
        await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 1));
        await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
    }

    [Fact]
    public async Task Fragments_too_few_for_the_frames_are_rejected()
    {
        var b = Image(DicomBytes.JpegBaseline, rows: 8, columns: 8, samples: 1, bitsAllocated: 8, frames: "3");
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(4).Raw([0xFF, 0xD8, 0xFF, 0xD9]).SequenceDelimiter();
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 2));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("-3")]
    [InlineData("1e300")]
    public async Task A_bad_Number_of_Frames_is_rejected(string frames)
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 8, frames: frames);
        b.Element(0x7FE0, 0x0010, "OB", new byte[16]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(Tag.NumberOfFrames, ex.Tag);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task A_frame_index_out_of_range_is_rejected(int frame)
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 8, frames: "2");
        b.Element(0x7FE0, 0x0010, "OB", new byte[32]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomException>(() => PixelDataDecoder.DecodeFrame(file, frame));
        Assert.Contains("(0028,0008)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_frames_of_which_the_data_holds_few_are_rejected()
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 1, frames: "2147483647");
        b.Element(0x7FE0, 0x0010, "OB", new byte[4]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 2_000_000_000));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    [Fact]
    public async Task Missing_Rows_names_Rows()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Element(0x0028, 0x0011, "US", DicomBytes.US(4)).Element(0x0028, 0x0100, "US", DicomBytes.US(8));
        b.Element(0x7FE0, 0x0010, "OB", new byte[16]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(Tag.Rows, ex.Tag);
    }

    [Fact]
    public async Task A_megabyte_of_Rows_is_rejected_without_reading_it_as_numbers()
    {
        var b = DicomBytes.Part10(DicomBytes.ExplicitLE);
        b.Element(0x0028, 0x0010, "OF", new byte[1024 * 1024]).Element(0x0028, 0x0011, "US", DicomBytes.US(4));
        b.Element(0x0028, 0x0100, "US", DicomBytes.US(8)).Element(0x7FE0, 0x0010, "OB", new byte[16]);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(Tag.Rows, ex.Tag);
    }

    [Fact]
    public async Task No_pixel_data_names_pixel_data()
    {
        var b = Image(DicomBytes.ExplicitLE, rows: 4, columns: 4, samples: 1, bitsAllocated: 8, frames: null);
        var file = Read(b.ToArray());
        var ex = await Fails<DicomFormatException>(() => PixelDataDecoder.DecodeFrame(file, 0));
        Assert.Equal(Tag.PixelData, ex.Tag);
    }

    // ---- helpers ----

    /// <summary>Runs <paramref name="action"/> off the test thread under a deadline and checks that it failed with
    /// <typeparamref name="T"/> (exactly, unless T is the base class) and a message naming a tag or an offset.</summary>
    private static async Task<T> Fails<T>(Action action) where T : DicomException
    {
        var ex = await Record.ExceptionAsync(() => Task.Run(action).WaitAsync(Deadline));
        Assert.NotNull(ex);
        Assert.IsNotType<TimeoutException>(ex);
        if (typeof(T) == typeof(DicomException))
        {
            Assert.IsAssignableFrom<DicomException>(ex);
        }
        else
        {
            Assert.IsType<T>(ex);
        }
        Assert.Matches(TagOrOffset(), ex.Message);
        return (T)ex;
    }

    private static DicomFile Read(byte[] bytes, DicomReadOptions? options = null, bool seekable = true) =>
        DicomReader.Read(seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes), options);

    /// <summary>A stream that cannot tell its length, like a socket or a pipe.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 4096));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
