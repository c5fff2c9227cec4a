namespace RemoteDx.Core.Archive;

/// <summary>UID syntax check (PS3.5 9.1) before a UID becomes part of a path.</summary>
public static class DicomUid
{
    public static bool IsValid(string? uid)
    {
        if (string.IsNullOrEmpty(uid) || uid.Length > 64 || uid[0] == '.' || uid[^1] == '.')
        {
            return false;
        }
        var prev = '.';
        foreach (var c in uid)
        {
            if (c == '.')
            {
                if (prev == '.')
                {
                    return false;
                }
            }
            else if (c < '0' || c > '9')
            {
                return false;
            }
            prev = c;
        }
        return true;
    }
}
