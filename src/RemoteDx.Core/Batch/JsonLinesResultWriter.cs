using System.Text.Json;

namespace RemoteDx.Core.Batch;

/// <summary>Batch results as JSON Lines: one JSON object per file and line, so an output can be appended to
/// (<c>--resume</c>) and read while it grows. Fields: path, sopInstanceUid, studyInstanceUid, status
/// (scored | not-applicable | error), error, models: [{model, version, sha256, priority, stat,
/// labels: [{label, probability, positive, threshold, urgency, critical}]}].</summary>
public sealed class JsonLinesResultWriter(Stream stream) : IBatchResultWriter
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _stream = stream;
    private readonly MemoryStream _line = new();

    public void Write(BatchResult r)
    {
        _line.SetLength(0);
        using (var w = new Utf8JsonWriter(_line))
        {
            w.WriteStartObject();
            w.WriteString("path", r.Path);
            w.WriteString("sopInstanceUid", r.SopInstanceUid);
            w.WriteString("studyInstanceUid", r.StudyInstanceUid);
            w.WriteString("status", BatchResult.StatusName(r.Status));
            w.WriteString("error", r.Error);
            w.WriteStartArray("models");
            foreach (var m in r.Models)
            {
                w.WriteStartObject();
                w.WriteString("model", m.Model);
                w.WriteString("version", m.Version);
                w.WriteString("sha256", m.Sha256);
                w.WriteNumber("priority", m.Priority);
                w.WriteBoolean("stat", m.Stat);
                w.WriteStartArray("labels");
                foreach (var l in m.Labels)
                {
                    w.WriteStartObject();
                    w.WriteString("label", l.Label);
                    w.WriteNumber("probability", l.Probability);
                    w.WriteBoolean("positive", l.Positive);
                    w.WriteNumber("threshold", l.Threshold);
                    w.WriteNumber("urgency", l.Urgency);
                    w.WriteBoolean("critical", l.Critical);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        _line.Write(NewLine);
        _line.Position = 0;
        _line.CopyTo(_stream);
        _stream.Flush();
    }

    /// <summary>Reads an existing JSON Lines output: every whole line is a finished file; a last line without its
    /// line break was cut short by a kill and is dropped. Returns the length to keep.</summary>
    internal static long Resume(Stream stream, HashSet<string> done)
    {
        stream.Position = 0;
        var keep = 0L;
        var line = new MemoryStream();
        long start = 0, offset = 0;
        int b;
        var buffered = new BufferedStream(stream, 1 << 16);
        while ((b = buffered.ReadByte()) >= 0)
        {
            offset++;
            if (b != '\n')
            {
                line.WriteByte((byte)b);
                continue;
            }
            if (line.Length > 0)
            {
                string? path;
                try
                {
                    using var doc = JsonDocument.Parse(line.ToArray());
                    path = doc.RootElement.GetProperty("path").GetString();
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new InvalidDataException($"the existing output is not remotedx score JSON Lines (byte {start}: {ex.Message}); cannot resume into it");
                }
                if (path is not null)
                {
                    done.Add(path);
                }
            }
            line.SetLength(0);
            start = offset;
            keep = offset;
        }
        return keep;
    }

    public void Dispose() => _stream.Dispose();
}
