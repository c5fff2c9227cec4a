// PS3.8 7.1 A-ASSOCIATE service and PS3.7 Annex A application context: accepting or rejecting an association
using System.Net;
using System.Net.Sockets;

namespace RemoteDx.Dicom.Network;

/// <summary>The acceptor's decision on an A-ASSOCIATE-RQ: either <see cref="Reject"/> or the A-ASSOCIATE-AC and the
/// accepted contexts, never both.</summary>
internal sealed record AssociationDecision(AAssociateRj? Reject, string? RejectReason, AAssociateAc? Accept,
    IReadOnlyDictionary<byte, AcceptedPresentationContext> Contexts);

internal static class Acse
{
    /// <summary>PS3.7 A.2.1 DICOM Application Context Name.</summary>
    public const string ApplicationContextName = "1.2.840.10008.3.1.1.1";

    /// <summary>PS3.8 9.3.2: protocol version bit 0.</summary>
    public const ushort ProtocolVersion = 0x0001;

    private static readonly IReadOnlyDictionary<byte, AcceptedPresentationContext> None = new Dictionary<byte, AcceptedPresentationContext>();

    public static async ValueTask<AssociationDecision> DecideAsync(AAssociateRq rq, DicomServerOptions options, IPEndPoint remote,
        bool overLimit, CancellationToken ct)
    {
        if ((rq.ProtocolVersion & ProtocolVersion) == 0)
        {
            return Rejected(RejectResult.RejectedPermanent, RejectSource.ServiceProviderAcse, RejectReason.ProtocolVersionNotSupported, "protocol-version-not-supported");
        }
        if (rq.ApplicationContextName != ApplicationContextName)
        {
            return Rejected(RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.ApplicationContextNameNotSupported, "application-context-name-not-supported");
        }
        if (!string.Equals(rq.CalledAE, options.AeTitle.Trim(), StringComparison.Ordinal))
        {
            return Rejected(RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized, "called-ae-not-recognized");
        }
        if (options.AllowedCallingAEs.Count > 0 && !await IsAllowedAsync(rq.CallingAE, remote, options.AllowedCallingAEs, ct).ConfigureAwait(false))
        {
            return Rejected(RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized, "calling-ae-not-recognized");
        }
        if (overLimit || !options.AcceptingAssociations())
        {
            return Rejected(RejectResult.RejectedTransient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded, "local-limit-exceeded");
        }

        var results = new List<PresentationContextResultItem>(rq.PresentationContexts.Count);
        var accepted = new Dictionary<byte, AcceptedPresentationContext>();
        var preference = options.TransferSyntaxPreference.ToArray();
        foreach (var pc in rq.PresentationContexts)
        {
            if (accepted.ContainsKey(pc.Id) || results.Exists(r => r.Id == pc.Id))
            {
                continue; // a repeated ID gets one answer only
            }
            var result = PresentationContextNegotiator.Negotiate(pc, preference);
            results.Add(result);
            if (result.Result == PresentationContextResult.Acceptance)
            {
                accepted[pc.Id] = new AcceptedPresentationContext(pc.Id, pc.AbstractSyntax, TransferSyntax.Lookup(result.TransferSyntax));
            }
        }
        var user = new UserInformation
        {
            MaximumLength = options.MaxPduLength,
            ImplementationClassUid = DicomFile.ImplementationClassUid,
            ImplementationVersionName = DicomFile.ImplementationVersionName,
            RoleSelections = PresentationContextNegotiator.ReplyRoles(rq.UserInformation.RoleSelections, accepted.Values),
            // PS3.7 D.3.3.3: we perform one operation at a time; answer the window only when one was proposed.
            AsynchronousOperationsWindow = rq.UserInformation.AsynchronousOperationsWindow is null ? null : ((ushort)1, (ushort)1),
        };
        var ac = new AAssociateAc(ProtocolVersion, rq.CalledAE, rq.CallingAE, ApplicationContextName, results, user);
        return new AssociationDecision(null, null, ac, accepted);
    }

    private static AssociationDecision Rejected(RejectResult result, RejectSource source, byte reason, string text) =>
        new(new AAssociateRj(result, source, reason), text, null, None);

    private static async ValueTask<bool> IsAllowedAsync(string callingAe, IPEndPoint remote, IEnumerable<AllowedCallingAE> allowed, CancellationToken ct)
    {
        var peer = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        foreach (var entry in allowed)
        {
            if (!string.Equals(entry.AeTitle.Trim(), callingAe, StringComparison.Ordinal))
            {
                continue;
            }
            if (string.IsNullOrWhiteSpace(entry.Host))
            {
                return true;
            }
            if (IPAddress.TryParse(entry.Host, out var ip))
            {
                if ((ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).Equals(peer))
                {
                    return true;
                }
                continue;
            }
            try
            {
                foreach (var resolved in await Dns.GetHostAddressesAsync(entry.Host, ct).ConfigureAwait(false))
                {
                    if ((resolved.IsIPv4MappedToIPv6 ? resolved.MapToIPv4() : resolved).Equals(peer))
                    {
                        return true;
                    }
                }
            }
            catch (SocketException)
            {
                // An unresolvable host allows nobody.
            }
        }
        return false;
    }
}
