namespace RemoteDx.Dicom;

/// <summary>Base of every error RemoteDx.Dicom raises on bad input or an unsupported feature.</summary>
public class DicomException : Exception
{
    public DicomException(string message) : base(message) { }
    public DicomException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The bytes are not valid DICOM: names the tag and/or byte offset where parsing failed.</summary>
public sealed class DicomFormatException : DicomException
{
    public DicomFormatException(string message, long offset = -1, Tag? tag = null, Exception? inner = null)
        : base(Describe(message, offset, tag), inner ?? new InvalidOperationException(message))
    {
        Offset = offset;
        Tag = tag;
    }

    public long Offset { get; }
    public Tag? Tag { get; }

    private static string Describe(string message, long offset, Tag? tag)
    {
        var where = (tag, offset) switch
        {
            (not null, >= 0) => $" at tag {tag} (offset {offset})",
            (not null, _) => $" at tag {tag}",
            (null, >= 0) => $" at offset {offset}",
            _ => "",
        };
        return message + where;
    }
}

/// <summary>Input exceeds a configured safety limit (decoded size, nesting depth, element length).</summary>
public sealed class DicomLimitException : DicomException
{
    public DicomLimitException(string message) : base(message) { }
}

/// <summary>Pixel data cannot be decoded or encoded: unsupported syntax, missing native library, corrupt stream.</summary>
public sealed class DicomCodecException : DicomException
{
    public DicomCodecException(string message) : base(message) { }
    public DicomCodecException(string message, Exception inner) : base(message, inner) { }
}
