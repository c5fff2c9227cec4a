namespace RemoteDx.Core.Batch;

/// <summary>One file to score: a file on disk, or an entry of a zip archive (<see cref="Archive"/> set, the entry at
/// <see cref="EntryIndex"/>). <see cref="Path"/> is what the results call it: the full path, or
/// <c>archive.zip!entry/name</c> for an entry. <see cref="Problem"/> is set when the scanner already knows it cannot
/// be read (an archive that does not open).</summary>
public sealed record BatchInput(string Path, string? Archive = null, int EntryIndex = -1, string? Problem = null)
{
    public const char EntrySeparator = '!';

    public bool IsArchiveEntry => Archive is not null && EntryIndex >= 0;
}
