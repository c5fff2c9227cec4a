using System.IO.Compression;

namespace RemoteDx.Core.Batch;

/// <summary>Expands the command line's paths into the files to score: files as given, folders recursively (in
/// ordinal order, so two runs list the same files in the same order), zip archives (<c>.zip</c>, as given or found
/// in a folder) entry by entry. Only names are listed here; nothing is decoded.</summary>
public static class InputScanner
{
    public static List<BatchInput> Scan(IEnumerable<string> paths)
    {
        var inputs = new List<BatchInput>();
        foreach (var p in paths)
        {
            var full = System.IO.Path.GetFullPath(p);
            if (Directory.Exists(full))
            {
                AddFolder(full, inputs);
            }
            else if (File.Exists(full))
            {
                AddFile(full, inputs);
            }
            else
            {
                throw new FileNotFoundException($"{p}: no such file or folder", p);
            }
        }
        return inputs;
    }

    public static bool IsZip(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    private static void AddFolder(string folder, List<BatchInput> inputs)
    {
        var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = false,
            AttributesToSkip = FileAttributes.None,
            ReturnSpecialDirectories = false,
        }).ToList();
        files.Sort(StringComparer.Ordinal);
        foreach (var f in files)
        {
            AddFile(f, inputs);
        }
    }

    private static void AddFile(string file, List<BatchInput> inputs)
    {
        if (!IsZip(file))
        {
            inputs.Add(new BatchInput(file));
            return;
        }
        try
        {
            using var zip = ZipFile.OpenRead(file);
            var entries = zip.Entries;
            for (var i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                // Folder entries end with a slash and hold nothing.
                if (e.FullName.EndsWith('/') || e.FullName.EndsWith('\\'))
                {
                    continue;
                }
                inputs.Add(new BatchInput(file + BatchInput.EntrySeparator + e.FullName, file, i));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            inputs.Add(new BatchInput(file, Problem: "cannot open zip archive: " + ex.Message));
        }
    }
}
