using System.Globalization;

namespace RemoteDx.Core.Pipeline;

/// <summary>One instance the reconciler moved to <c>&lt;data&gt;/quarantine/</c>: <c>NAME.dcm</c> and its
/// <c>NAME.reason</c> (time, the archive path it came from, why; see <see cref="ArchiveReconciler"/>).</summary>
public sealed record QuarantinedInstance(string Name, long Size, DateTimeOffset? QuarantinedAt, string? OriginalPath, string Reason);

/// <summary>Reads the quarantine folder for the admin screen (read-only), and deletes one entry on an admin's request.</summary>
public static class QuarantineListing
{
    public static string DirectoryOf(string dataDirectory) => Path.Combine(dataDirectory, "quarantine");

    /// <summary>Every quarantined instance, newest first; a .dcm without its .reason is listed with an empty reason.</summary>
    public static IReadOnlyList<QuarantinedInstance> Read(string dataDirectory)
    {
        var dir = DirectoryOf(dataDirectory);
        if (!Directory.Exists(dir))
        {
            return [];
        }
        var items = new List<QuarantinedInstance>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.dcm"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            long size;
            try
            {
                size = new FileInfo(file).Length;
            }
            catch (IOException)
            {
                continue; // deleted while listing
            }
            var (at, original, reason) = ReadReason(Path.Combine(dir, name + ".reason"));
            items.Add(new QuarantinedInstance(name, size, at ?? File.GetLastWriteTimeUtc(file), original, reason));
        }
        return [.. items.OrderByDescending(i => i.QuarantinedAt).ThenBy(i => i.Name, StringComparer.Ordinal)];
    }

    /// <summary>A name as <see cref="Read"/> lists it: no path separator, no "..", so it stays inside the folder.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 200 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Deletes NAME.dcm and NAME.reason; false when there was no NAME.dcm.</summary>
    public static bool Delete(string dataDirectory, string name)
    {
        if (!IsValidName(name))
        {
            return false;
        }
        var dir = DirectoryOf(dataDirectory);
        var dcm = Path.Combine(dir, name + ".dcm");
        if (!File.Exists(dcm))
        {
            return false;
        }
        File.Delete(dcm);
        File.Delete(Path.Combine(dir, name + ".reason"));
        return true;
    }

    // Line 1: when (ISO 8601), line 2: where it was, line 3 on: why.
    private static (DateTimeOffset? At, string? Original, string Reason) ReadReason(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null, "");
        }
        DateTimeOffset? at = lines.Length > 0 && DateTimeOffset.TryParse(lines[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? t : null;
        var original = lines.Length > 1 ? lines[1] : null;
        var reason = string.Join('\n', lines.Skip(2)).Trim();
        return (at, original, reason);
    }
}
