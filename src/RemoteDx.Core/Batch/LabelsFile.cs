namespace RemoteDx.Core.Batch;

/// <summary>Ground truth for validation: a CSV with a <c>file</c> column (a path relative to the CSV's folder, or
/// absolute; <c>archive.zip!entry</c> for a zip entry) and one column per label holding 1 (present), 0 (absent) or
/// nothing (unknown, left out of that label's figures).</summary>
public sealed class LabelsFile
{
    public required string Path { get; init; }

    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Full path of each file → its truth per label (index as <see cref="Labels"/>), in file order.</summary>
    public required IReadOnlyDictionary<string, bool?[]> Truth { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    public static LabelsFile Read(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        using var stream = File.OpenRead(path);
        List<string>? header = null;
        var fileColumn = -1;
        var truth = new Dictionary<string, bool?[]>(StringComparer.Ordinal);
        var files = new List<string>();
        var line = 0;
        foreach (var rec in Csv.Read(stream))
        {
            line++;
            if (header is null)
            {
                header = rec.Fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToList();
                fileColumn = header.FindIndex(h => string.Equals(h, "file", StringComparison.OrdinalIgnoreCase));
                if (fileColumn < 0)
                {
                    throw new InvalidDataException($"{path}: no 'file' column in the header");
                }
                continue;
            }
            if (rec.Fields.Count == 1 && rec.Fields[0].Trim().Length == 0)
            {
                continue;
            }
            if (rec.Fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path} line {line}: {rec.Fields.Count} fields, the header has {header.Count}");
            }
            var rel = rec.Fields[fileColumn].Trim();
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, rel));
            var values = new bool?[header.Count - 1];
            for (int c = 0, k = 0; c < header.Count; c++)
            {
                if (c == fileColumn)
                {
                    continue;
                }
                values[k++] = rec.Fields[c].Trim() switch
                {
                    "" => null,
                    "1" or "1.0" or "true" or "True" => true,
                    "0" or "0.0" or "false" or "False" => false,
                    var v => throw new InvalidDataException($"{path} line {line}: '{v}' in column '{header[c]}' is not 0 or 1"),
                };
            }
            if (!truth.TryAdd(full, values))
            {
                throw new InvalidDataException($"{path} line {line}: '{rel}' is listed twice");
            }
            files.Add(full);
        }
        if (header is null)
        {
            throw new InvalidDataException($"{path}: empty");
        }
        return new LabelsFile
        {
            Path = System.IO.Path.GetFullPath(path),
            Labels = header.Where((_, i) => i != fileColumn).ToList(),
            Truth = truth,
            Files = files,
        };
    }
}
