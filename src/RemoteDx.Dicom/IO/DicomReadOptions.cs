namespace RemoteDx.Dicom.IO;

/// <summary>How much of a file to read and the safety limits that bound time and memory on hostile input.</summary>
public sealed record DicomReadOptions
{
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Stop at the top-level Pixel Data element without reading it (header-only parse).</summary>
    public bool StopBeforePixelData { get; init; }

    /// <summary>Record where Pixel Data lies and read it only when asked for (file sources only).</summary>
    public bool LazyPixelData { get; init; }

    /// <summary>Deepest sequence nesting accepted.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Largest single value or total inflated size accepted from a source whose length is unknown.</summary>
    public long MaxValueLength { get; init; } = 2L * 1024 * 1024 * 1024 - 64;

    /// <summary>Cap on the bytes a deflated dataset may inflate to (deflate bomb guard).</summary>
    public long MaxInflatedBytes { get; init; } = 1L * 1024 * 1024 * 1024;

    /// <summary>Re-interpret UN elements whose tag the dictionary knows (PS3.5 6.2.2).</summary>
    public bool ReinterpretUN { get; init; } = true;
}
