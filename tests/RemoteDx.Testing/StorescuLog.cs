namespace RemoteDx.Testing;

/// <summary>What DCMTK's <c>storescu -v</c> printed, read back: each "Sending file: PATH" line is followed by the
/// response to that file.</summary>
public static class StorescuLog
{
    private const string Sending = "Sending file: ";
    private const string Success = "Received Store Response (Success)";

    /// <summary>The files storescu was answered Success for, in the order it sent them.</summary>
    public static List<string> Acknowledged(string output)
    {
        var result = new List<string>();
        string? current = null;
        foreach (var line in output.Split('\n'))
        {
            var at = line.IndexOf(Sending, StringComparison.Ordinal);
            if (at >= 0)
            {
                current = line[(at + Sending.Length)..].Trim();
            }
            else if (line.Contains(Success, StringComparison.Ordinal) && current is not null)
            {
                result.Add(current);
                current = null;
            }
        }
        return result;
    }
}
