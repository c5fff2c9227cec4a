// PS3.8 7.1 A-ASSOCIATE service and PS3.7 Annex A application context: accepting or rejecting an association
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace RemoteDx.Dicom.Network;

/// <summary>The acceptor's decision on an A-ASSOCIATE-RQ: either <see cref="Reject"/> or the A-ASSOCIATE-AC and the
/// accepted contexts, never both. <see cref="Peer"/> is the allow-list entry the calling AE met (null: no allow-list).</summary>
internal sealed record AssociationDecision(AAssociateRj? Reject, string? RejectReason, AAssociateAc? Accept,
    IReadOnlyDictionary<byte, AcceptedPresentationContext> Contexts, AllowedCallingAE? Peer = null);

internal static class Acse
{
    /// <summary>PS3.7 A.2.1 DICOM Application Context Name.</summary>
    public const string ApplicationContextName = "1.2.840.10008.3.1.1.1";

    /// <summary>PS3.8 9.3.2: protocol version bit 0.</summary>
    public const ushort ProtocolVersion = 0x0001;

    private static readonly IReadOnlyDictionary<byte, AcceptedPresentationContext> None = new Dictionary<byte, AcceptedPresentationContext>();

    /// <summary>PS3.8 7.1.1.9: the checks of docs/conformance.md 1.2 in order. <paramref name="clientCertificate"/> is the
    /// TLS peer's certificate (null on the plain port); <paramref name="tryReserveSlot"/> is asked last and only once, and
    /// a slot it reserved belongs to the accepted association.</summary>
    public static async ValueTask<AssociationDecision> DecideAsync(AAssociateRq rq, DicomServerOptions options, IPEndPoint remote,
        X509Certificate2? clientCertificate, Func<bool> tryReserveSlot, CancellationToken ct)
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
        AllowedCallingAE? peer = null;
        if (options.AllowedCallingAEs.Count > 0)
        {
            peer = await AllowedEntryAsync(rq.CallingAE, remote, clientCertificate, options.AllowedCallingAEs, ct).ConfigureAwait(false);
            if (peer is null)
            {
                return Rejected(RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized, "calling-ae-not-recognized");
            }
        }
        if (!options.AcceptingAssociations() || !tryReserveSlot())
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
        return new AssociationDecision(null, null, ac, accepted, peer);
    }

    private static AssociationDecision Rejected(RejectResult result, RejectSource source, byte reason, string text) =>
        new(new AAssociateRj(result, source, reason), text, null, None);

    /// <summary>The first entry for <paramref name="callingAe"/> whose host (if any) is the peer's address and whose
    /// certificate pins (if any) the TLS client certificate meets; null when none does.</summary>
    private static async ValueTask<AllowedCallingAE?> AllowedEntryAsync(string callingAe, IPEndPoint remote, X509Certificate2? clientCertificate,
        IEnumerable<AllowedCallingAE> allowed, CancellationToken ct)
    {
        var peer = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        foreach (var entry in allowed)
        {
            if (!string.Equals(entry.AeTitle.Trim(), callingAe, StringComparison.Ordinal) || !ClientCertificates.MeetsPins(entry, clientCertificate))
            {
                continue;
            }
            if (string.IsNullOrWhiteSpace(entry.Host) || await HostMatchesAsync(entry.Host, peer, ct).ConfigureAwait(false))
            {
                return entry;
            }
        }
        return null;
    }

    private static async ValueTask<bool> HostMatchesAsync(string host, IPAddress peer, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).Equals(peer);
        }
        try
        {
            foreach (var resolved in await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false))
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
        return false;
    }
}
