using System.Globalization;
using System.Text;
using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Batch;

/// <summary>Batch results as CSV, one row per file and label (DESIGN.md's columns first, then ours). A file that
/// could not be scored has one row with <c>error</c> set; a file no model applies to has one row with status
/// <c>not-applicable</c> and the model columns empty. A file's rows are written together and flushed.</summary>
public sealed class CsvResultWriter : IBatchResultWriter
{
    public static readonly string[] Columns =
    [
        "path", "sopInstanceUid", "model", "label", "probability", "positive", "error",
        "studyInstanceUid", "modelVersion", "threshold", "critical", "status",
    ];

    private readonly Stream _stream;
    private readonly StringBuilder _rows = new();

    public CsvResultWriter(Stream stream, bool writeHeader)
    {
        _stream = stream;
        if (writeHeader)
        {
            Emit(Csv.Line(Columns));
        }
    }

    public void Write(BatchResult r)
    {
        _rows.Clear();
        var status = BatchResult.StatusName(r.Status);
        if (r.Status != BatchStatus.Scored)
        {
            _rows.Append(Csv.Line([r.Path, r.SopInstanceUid, "", "", "", "", r.Error, r.StudyInstanceUid, "", "", "", status]));
        }
        foreach (var m in r.Models)
        {
            foreach (var l in m.Labels)
            {
                _rows.Append(Csv.Line([
                    r.Path, r.SopInstanceUid, m.Model, l.Label, Number(l.Probability), l.Positive ? "true" : "false", "",
                    r.StudyInstanceUid, m.Version, Number(l.Threshold), l.Critical ? "true" : "false", status,
                ]));
            }
        }
        Emit(_rows.ToString());
    }

    /// <summary>Round-trip float text ("R"), invariant culture.</summary>
    public static string Number(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private void Emit(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        _stream.Write(bytes);
        _stream.Flush();
    }

    /// <summary>Reads an existing CSV output: adds every file it holds to <paramref name="done"/> and returns the
    /// length to keep. The last file's rows are always dropped (and scored again): a killed run may have cut them
    /// short, even at a line boundary, and rows of one file are contiguous, so that is the only file in doubt.</summary>
    internal static long Resume(Stream stream, HashSet<string> done)
    {
        stream.Position = 0;
        var header = true;
        string? last = null;
        long lastStart = 0;
        foreach (var rec in Csv.Read(stream))
        {
            if (header)
            {
                if (!rec.Complete || rec.Fields.Count < 7 || !rec.Fields.Take(7).SequenceEqual(Columns.Take(7)))
                {
                    throw new InvalidDataException("the existing output is not a remotedx score CSV (its header differs); cannot resume into it");
                }
                header = false;
                continue;
            }
            var path = rec.Fields[0];
            if (path != last)
            {
                if (last is not null)
                {
                    done.Add(last);
                }
                last = path;
                lastStart = rec.Start;
            }
        }
        if (header)
        {
            return 0;
        }
        if (last is null)
        {
            // Header only: keep it.
            return stream.Position = HeaderLength(stream);
        }
        return lastStart;
    }

    private static long HeaderLength(Stream stream)
    {
        stream.Position = 0;
        long n = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            n++;
            if (b == '\n')
            {
                break;
            }
        }
        return n;
    }

    public void Dispose() => _stream.Dispose();
}
