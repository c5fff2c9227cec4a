using System.Text;

namespace RemoteDx.Core.Batch;

/// <summary>RFC 4180 CSV: fields quoted only when they hold a comma, quote, CR or LF; records end with LF. The reader
/// works on bytes (the delimiters are ASCII, so UTF-8 text passes through untouched) and reports where each record
/// starts, so a resumed output can be cut back to a record boundary.</summary>
public static class Csv
{
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return value;
        }
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string Line(IEnumerable<string?> fields) => string.Join(',', fields.Select(Field)) + "\n";

    /// <summary>One record: its fields, the byte offset where it starts, and whether it ended with a line break (the
    /// last record of a file cut short by a kill does not).</summary>
    public sealed record Record(List<string> Fields, long Start, bool Complete);

    public static IEnumerable<Record> Read(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        var field = new List<byte>(256);
        var fields = new List<string>();
        long offset = 0, start = 0;
        bool quoted = false, afterQuote = false, any = false;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < n; i++, offset++)
            {
                var b = buffer[i];
                any = true;
                if (quoted)
                {
                    if (b == '"')
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                    else
                    {
                        field.Add(b);
                    }
                    continue;
                }
                if (b == '"')
                {
                    if (afterQuote)
                    {
                        // "" inside a quoted field is one quote.
                        field.Add(b);
                    }
                    quoted = true;
                    afterQuote = false;
                    continue;
                }
                afterQuote = false;
                if (b == ',')
                {
                    fields.Add(Encoding.UTF8.GetString(field.ToArray()));
                    field.Clear();
                }
                else if (b == '\n')
                {
                    fields.Add(Encoding.UTF8.GetString(field.ToArray()).TrimEnd('\r'));
                    field.Clear();
                    yield return new Record(fields, start, true);
                    fields = [];
                    start = offset + 1;
                    any = false;
                }
                else
                {
                    field.Add(b);
                }
            }
        }
        if (any)
        {
            fields.Add(Encoding.UTF8.GetString(field.ToArray()));
            yield return new Record(fields, start, false);
        }
    }
}
