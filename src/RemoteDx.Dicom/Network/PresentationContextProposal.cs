// PS3.8 9.3.2.2 presentation contexts proposed by the requestor
using RemoteDx.Dicom.IO;

namespace RemoteDx.Dicom.Network;

/// <summary>One proposed presentation context: an abstract syntax and the transfer syntaxes offered for it.</summary>
public sealed record PresentationContextProposal(string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)
{
    /// <summary>PS3.8 9.3.2.2: presentation context IDs are odd numbers 1-255, so at most 128 per association.</summary>
    public const int MaxPerAssociation = 128;

    public static PresentationContextProposal Verification { get; } =
        new(DicomUids.Verification, [TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid]);

    /// <summary>Proposals for sending <paramref name="files"/>: each file's (SOP class, transfer syntax), plus explicit and
    /// implicit VR little endian when the file is not encapsulated (so it can be transcoded), one context per SOP class
    /// and syntax. Returns groups of at most 128 contexts, each with the files that group can carry; files that cannot
    /// be read are reported in <paramref name="unreadable"/>. <paramref name="alsoForNative"/>, when set, is proposed too
    /// for every file that is not encapsulated (the syntax it may be re-encoded into before sending).</summary>
    public static IReadOnlyList<(IReadOnlyList<PresentationContextProposal> Contexts, IReadOnlyList<string> Files)> ForFiles(
        IEnumerable<string> files, IList<(string Path, string Error)>? unreadable = null, TransferSyntax? alsoForNative = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var groups = new List<(List<PresentationContextProposal> Contexts, HashSet<(string, string)> Keys, List<string> Files)>();
        foreach (var path in files)
        {
            Part10Header header;
            try
            {
                header = Part10Header.Read(path);
            }
            catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException)
            {
                unreadable?.Add((path, ex.Message));
                continue;
            }
            var needed = ContextsFor(header.SopClassUid, header.TransferSyntax, alsoForNative);
            var placed = false;
            foreach (var g in groups)
            {
                var missing = needed.Count(n => !g.Keys.Contains(n));
                if (g.Contexts.Count + missing <= MaxPerAssociation)
                {
                    Add(g.Contexts, g.Keys, needed);
                    g.Files.Add(path);
                    placed = true;
                    break;
                }
            }
            if (!placed)
            {
                var g = (new List<PresentationContextProposal>(), new HashSet<(string, string)>(), new List<string> { path });
                Add(g.Item1, g.Item2, needed);
                groups.Add(g);
            }
        }
        return groups.Select(g => ((IReadOnlyList<PresentationContextProposal>)g.Contexts, (IReadOnlyList<string>)g.Files)).ToList();
    }

    private static List<(string, string)> ContextsFor(string sopClass, TransferSyntax ts, TransferSyntax? alsoForNative)
    {
        var list = new List<(string, string)> { (sopClass, ts.Uid) };
        if (!ts.IsEncapsulated)
        {
            if (alsoForNative is not null)
            {
                list.Add((sopClass, alsoForNative.Uid));
            }
            foreach (var native in new[] { TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid })
            {
                if (native != ts.Uid)
                {
                    list.Add((sopClass, native));
                }
            }
        }
        return list;
    }

    private static void Add(List<PresentationContextProposal> contexts, HashSet<(string, string)> keys, List<(string, string)> needed)
    {
        foreach (var n in needed)
        {
            if (keys.Add(n))
            {
                contexts.Add(new PresentationContextProposal(n.Item1, [n.Item2]));
            }
        }
    }
}
