namespace RemoteDx.Dicom.Tests.Malformed;

/// <summary>Bad input built with <see cref="DicomBytes"/>, shared by the reader tests here and the command-line tests
/// in RemoteDx.Cli.Tests (which link this file).</summary>
internal static class MalformedFiles
{
    public static byte[] RandomBytes(int count, int seed)
    {
        var b = new byte[count];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static DicomBytes Image(string syntax, ushort rows, ushort columns, ushort samples, ushort bitsAllocated, string? frames)
    {
        var b = DicomBytes.Part10(syntax);
        b.Element(0x0008, 0x0060, "CS", DicomBytes.Text("OT"));
        b.Element(0x0028, 0x0002, "US", DicomBytes.US(samples));
        b.Element(0x0028, 0x0004, "CS", DicomBytes.Text(samples == 1 ? "MONOCHROME2" : "RGB"));
        if (frames is not null)
        {
            b.Element(0x0028, 0x0008, "IS", DicomBytes.Text(frames));
        }
        b.Element(0x0028, 0x0010, "US", DicomBytes.US(rows));
        b.Element(0x0028, 0x0011, "US", DicomBytes.US(columns));
        b.Element(0x0028, 0x0100, "US", DicomBytes.US(bitsAllocated));
        b.Element(0x0028, 0x0101, "US", DicomBytes.US(bitsAllocated));
        b.Element(0x0028, 0x0102, "US", DicomBytes.US((ushort)(bitsAllocated - 1)));
        b.Element(0x0028, 0x0103, "US", DicomBytes.US(0));
        return b;
    }

    /// <summary>A Part 10 file whose dataset is one sequence of one item holding a sequence, <paramref name="depth"/>
    /// times over.</summary>
    public static byte[] Nested(int depth, bool explicitVR, bool undefinedLengths)
    {
        var b = DicomBytes.Part10(explicitVR ? DicomBytes.ExplicitLE : DicomBytes.ImplicitLE);
        // Per level: sequence header (12 explicit, 8 implicit) and item header (8).
        var perLevel = (uint)(explicitVR ? 20 : 16);
        for (var i = 0; i < depth; i++)
        {
            var inside = (uint)(depth - i - 1) * perLevel;
            b.Header(0x0008, 0x1115, "SQ", undefinedLengths ? 0xFFFFFFFF : inside + 8);
            b.Item(undefinedLengths ? 0xFFFFFFFF : inside);
        }
        if (undefinedLengths)
        {
            for (var i = 0; i < depth; i++)
            {
                b.ItemDelimiter().SequenceDelimiter();
            }
        }
        return b.ToArray();
    }

    /// <summary>A Transfer Syntax UID nobody knows.</summary>
    public const string UnknownSyntax = "1.2.3.4.5.6.7.8.9";

    /// <summary>4x4 8-bit frames, frame k filled with k + 1, Number of Frames 5, <paramref name="bytes"/> of data.</summary>
    public static byte[] FramesShortOfNumberOfFrames(int bytes, string syntax = DicomBytes.ExplicitLE)
    {
        var b = Image(syntax, rows: 4, columns: 4, samples: 1, bitsAllocated: 8, frames: "5");
        var data = new byte[bytes];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i / 16 + 1);
        }
        return b.Element(0x7FE0, 0x0010, "OB", data).ToArray();
    }
}
