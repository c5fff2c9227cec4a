namespace RemoteDx.Core.Batch;

/// <summary>Opening an output for <c>--resume</c>: which files it already holds, and where to cut it so it ends with
/// a whole file's results.</summary>
public static class ResultFile
{
    /// <summary>Opens <paramref name="path"/> for writing. Without <paramref name="resume"/> (or when the file is
    /// missing or empty) it starts afresh; otherwise the paths already present are returned in <paramref name="done"/>
    /// and the stream is positioned after the last whole file's results.</summary>
    public static IBatchResultWriter Open(string path, bool resume, out HashSet<string> done)
    {
        done = new HashSet<string>(StringComparer.Ordinal);
        var json = IsJson(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        var exists = File.Exists(path) && new FileInfo(path).Length > 0;
        var stream = new FileStream(path, resume && exists ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (resume && exists)
            {
                var keep = json ? JsonLinesResultWriter.Resume(stream, done) : CsvResultWriter.Resume(stream, done);
                stream.SetLength(keep);
                stream.Position = keep;
                return json ? new JsonLinesResultWriter(stream) : new CsvResultWriter(stream, writeHeader: keep == 0);
            }
            return json ? new JsonLinesResultWriter(stream) : new CsvResultWriter(stream, writeHeader: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>.json and .jsonl are JSON Lines (one object per file); anything else is CSV.</summary>
    public static bool IsJson(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
}
