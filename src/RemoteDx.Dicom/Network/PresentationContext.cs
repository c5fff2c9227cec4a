// PS3.8 9.3.3.2 / PS3.7 D.3.3.4: presentation context negotiation and SCP/SCU role selection replies
using RemoteDx.Dicom.Codecs;

namespace RemoteDx.Dicom.Network;

/// <summary>A presentation context accepted on an association.</summary>
public sealed record AcceptedPresentationContext(byte Id, string AbstractSyntax, TransferSyntax TransferSyntax);

/// <summary>Decides each proposed presentation context: Verification and every Storage SOP class are supported; the
/// transfer syntax is the most preferred one proposed that this build can decode.</summary>
public static class PresentationContextNegotiator
{
    /// <summary>Lossless compressed syntaxes are kept as proposed (smaller on disk, decodable here), then the native
    /// ones. Anything else decodable (lossy, deflated, big endian) is taken only when nothing here was proposed.</summary>
    public static IReadOnlyList<string> DefaultPreference { get; } =
    [
        TransferSyntax.RLELossless.Uid,
        TransferSyntax.JPEGLossless.Uid,
        TransferSyntax.JPEGLosslessSV1.Uid,
        TransferSyntax.JPEGLSLossless.Uid,
        TransferSyntax.JPEG2000Lossless.Uid,
        TransferSyntax.HTJ2KLossless.Uid,
        TransferSyntax.HTJ2KLosslessRPCL.Uid,
        TransferSyntax.ExplicitVRLittleEndian.Uid,
        TransferSyntax.ImplicitVRLittleEndian.Uid,
    ];

    private static readonly Lazy<HashSet<string>> Supported = new(() =>
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { DicomUids.Verification };
        foreach (var e in DicomUids.StorageSopClasses)
        {
            set.Add(e.Uid);
        }
        return set;
    });

    public static bool IsSupportedAbstractSyntax(string uid) => Supported.Value.Contains(uid);

    public static PresentationContextResultItem Negotiate(PresentationContextItem proposed, IReadOnlyList<string> preference,
        IReadOnlySet<string>? decodable = null)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(preference);
        decodable ??= CodecRegistry.DecodableTransferSyntaxUids;
        if (!IsSupportedAbstractSyntax(proposed.AbstractSyntax))
        {
            return new PresentationContextResultItem(proposed.Id, PresentationContextResult.AbstractSyntaxNotSupported, "");
        }
        string? best = null;
        var bestRank = int.MaxValue;
        foreach (var ts in proposed.TransferSyntaxes)
        {
            if (!decodable.Contains(ts))
            {
                continue;
            }
            var rank = IndexOf(preference, ts);
            if (rank < 0)
            {
                rank = preference.Count; // decodable but not preferred: first such proposal wins among them
            }
            if (rank < bestRank)
            {
                best = ts;
                bestRank = rank;
            }
        }
        return best is null
            ? new PresentationContextResultItem(proposed.Id, PresentationContextResult.TransferSyntaxesNotSupported, "")
            : new PresentationContextResultItem(proposed.Id, PresentationContextResult.Acceptance, best);
    }

    /// <summary>PS3.7 D.3.3.4: as acceptor we let the requestor be SCU as proposed and never take the SCU role
    /// ourselves (we only answer), so the SCP role is refused.</summary>
    public static IReadOnlyList<RoleSelectionItem> ReplyRoles(IReadOnlyList<RoleSelectionItem> proposed, IReadOnlyCollection<AcceptedPresentationContext> accepted)
    {
        var result = new List<RoleSelectionItem>();
        foreach (var role in proposed)
        {
            foreach (var pc in accepted)
            {
                if (pc.AbstractSyntax == role.SopClassUid)
                {
                    result.Add(new RoleSelectionItem(role.SopClassUid, role.ScuRole, false));
                    break;
                }
            }
        }
        return result;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }
}
