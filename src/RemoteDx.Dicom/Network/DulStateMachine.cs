// PS3.8 9.2 DICOM upper layer state machine: states Sta1-Sta13, events Evt1-Evt19, Table 9-10 transitions
namespace RemoteDx.Dicom.Network;

/// <summary>PS3.8 Table 9-9 states.</summary>
public enum DulState
{
    Sta1Idle = 1,
    Sta2TransportOpen,
    Sta3AwaitingLocalAssociateResponse,
    Sta4AwaitingTransportOpen,
    Sta5AwaitingAssociateAcOrRj,
    Sta6DataTransfer,
    Sta7AwaitingReleaseRp,
    Sta8AwaitingLocalReleaseResponse,
    Sta9CollisionRequestorAwaitingLocalResponse,
    Sta10CollisionAcceptorAwaitingReleaseRp,
    Sta11CollisionRequestorAwaitingReleaseRp,
    Sta12CollisionAcceptorAwaitingLocalResponse,
    Sta13AwaitingTransportClose,
}

/// <summary>PS3.8 Table 9-10 events.</summary>
public enum DulEvent
{
    Evt1AssociateRequestLocal = 1,
    Evt2TransportConfirm,
    Evt3AssociateAcReceived,
    Evt4AssociateRjReceived,
    Evt5TransportIndication,
    Evt6AssociateRqReceived,
    Evt7AssociateAcceptLocal,
    Evt8AssociateRejectLocal,
    Evt9PDataRequestLocal,
    Evt10PDataReceived,
    Evt11ReleaseRequestLocal,
    Evt12ReleaseRqReceived,
    Evt13ReleaseRpReceived,
    Evt14ReleaseResponseLocal,
    Evt15AbortRequestLocal,
    Evt16AbortReceived,
    Evt17TransportClosed,
    Evt18ArtimExpired,
    Evt19InvalidPdu,
}

/// <summary>PS3.8 Table 9-10 actions (AE = association establishment, DT = data transfer, AR = release, AA = abort).</summary>
public enum DulAction
{
    AE1, AE2, AE3, AE4, AE5, AE6, AE7, AE8,
    DT1, DT2,
    AR1, AR2, AR3, AR4, AR5, AR6, AR7, AR8, AR9, AR10,
    AA1, AA2, AA3, AA4, AA5, AA6, AA7, AA8,
}

/// <summary>The transition table. An event with no entry for a state is a local programming error for local
/// primitives, and for received PDUs the table's own answer (AA-1, AA-7 or AA-8).</summary>
public static class DulStateMachine
{
    public static DulEvent EventFor(PduType type) => type switch
    {
        PduType.AssociateRq => DulEvent.Evt6AssociateRqReceived,
        PduType.AssociateAc => DulEvent.Evt3AssociateAcReceived,
        PduType.AssociateRj => DulEvent.Evt4AssociateRjReceived,
        PduType.PDataTf => DulEvent.Evt10PDataReceived,
        PduType.ReleaseRq => DulEvent.Evt12ReleaseRqReceived,
        PduType.ReleaseRp => DulEvent.Evt13ReleaseRpReceived,
        PduType.Abort => DulEvent.Evt16AbortReceived,
        _ => DulEvent.Evt19InvalidPdu,
    };

    /// <param name="requestor">Whether this side sent the A-ASSOCIATE-RQ (decides AR-8 on a release collision).</param>
    public static (DulAction Action, DulState Next) Transition(DulState state, DulEvent evt, bool requestor)
    {
        switch (state)
        {
            case DulState.Sta1Idle:
                return evt switch
                {
                    DulEvent.Evt1AssociateRequestLocal => (DulAction.AE1, DulState.Sta4AwaitingTransportOpen),
                    DulEvent.Evt5TransportIndication => (DulAction.AE5, DulState.Sta2TransportOpen),
                    _ => Invalid(state, evt),
                };
            case DulState.Sta2TransportOpen:
                return evt switch
                {
                    DulEvent.Evt3AssociateAcReceived or DulEvent.Evt4AssociateRjReceived or DulEvent.Evt10PDataReceived
                        or DulEvent.Evt12ReleaseRqReceived or DulEvent.Evt13ReleaseRpReceived or DulEvent.Evt19InvalidPdu
                        => (DulAction.AA1, DulState.Sta13AwaitingTransportClose),
                    // AE-6: the caller decides acceptability; acceptance goes to Sta3, a reject is Evt8 from Sta3.
                    DulEvent.Evt6AssociateRqReceived => (DulAction.AE6, DulState.Sta3AwaitingLocalAssociateResponse),
                    DulEvent.Evt16AbortReceived => (DulAction.AA2, DulState.Sta1Idle),
                    DulEvent.Evt17TransportClosed => (DulAction.AA5, DulState.Sta1Idle),
                    DulEvent.Evt18ArtimExpired => (DulAction.AA2, DulState.Sta1Idle),
                    _ => Invalid(state, evt),
                };
            case DulState.Sta4AwaitingTransportOpen:
                return evt switch
                {
                    DulEvent.Evt2TransportConfirm => (DulAction.AE2, DulState.Sta5AwaitingAssociateAcOrRj),
                    DulEvent.Evt15AbortRequestLocal => (DulAction.AA2, DulState.Sta1Idle),
                    DulEvent.Evt17TransportClosed => (DulAction.AA4, DulState.Sta1Idle),
                    _ => Invalid(state, evt),
                };
            case DulState.Sta13AwaitingTransportClose:
                return evt switch
                {
                    DulEvent.Evt3AssociateAcReceived or DulEvent.Evt4AssociateRjReceived or DulEvent.Evt10PDataReceived
                        or DulEvent.Evt12ReleaseRqReceived or DulEvent.Evt13ReleaseRpReceived
                        => (DulAction.AA6, DulState.Sta13AwaitingTransportClose),
                    DulEvent.Evt6AssociateRqReceived or DulEvent.Evt19InvalidPdu => (DulAction.AA7, DulState.Sta13AwaitingTransportClose),
                    DulEvent.Evt15AbortRequestLocal => (DulAction.AA6, DulState.Sta13AwaitingTransportClose),
                    DulEvent.Evt16AbortReceived or DulEvent.Evt18ArtimExpired => (DulAction.AA2, DulState.Sta1Idle),
                    DulEvent.Evt17TransportClosed => (DulAction.AR5, DulState.Sta1Idle),
                    _ => Invalid(state, evt),
                };
        }

        // Sta3, Sta5-Sta12: aborts and transport closure are handled alike.
        switch (evt)
        {
            case DulEvent.Evt15AbortRequestLocal:
                return (DulAction.AA1, DulState.Sta13AwaitingTransportClose);
            case DulEvent.Evt16AbortReceived:
                return (DulAction.AA3, DulState.Sta1Idle);
            case DulEvent.Evt17TransportClosed:
                return (DulAction.AA4, DulState.Sta1Idle);
            case DulEvent.Evt18ArtimExpired:
                return Invalid(state, evt);
        }

        var next = (state, evt) switch
        {
            (DulState.Sta3AwaitingLocalAssociateResponse, DulEvent.Evt7AssociateAcceptLocal) => (DulAction.AE7, DulState.Sta6DataTransfer),
            (DulState.Sta3AwaitingLocalAssociateResponse, DulEvent.Evt8AssociateRejectLocal) => (DulAction.AE8, DulState.Sta13AwaitingTransportClose),
            (DulState.Sta5AwaitingAssociateAcOrRj, DulEvent.Evt3AssociateAcReceived) => (DulAction.AE3, DulState.Sta6DataTransfer),
            (DulState.Sta5AwaitingAssociateAcOrRj, DulEvent.Evt4AssociateRjReceived) => (DulAction.AE4, DulState.Sta1Idle),
            (DulState.Sta6DataTransfer, DulEvent.Evt9PDataRequestLocal) => (DulAction.DT1, DulState.Sta6DataTransfer),
            (DulState.Sta6DataTransfer, DulEvent.Evt10PDataReceived) => (DulAction.DT2, DulState.Sta6DataTransfer),
            (DulState.Sta6DataTransfer, DulEvent.Evt11ReleaseRequestLocal) => (DulAction.AR1, DulState.Sta7AwaitingReleaseRp),
            (DulState.Sta6DataTransfer, DulEvent.Evt12ReleaseRqReceived) => (DulAction.AR2, DulState.Sta8AwaitingLocalReleaseResponse),
            (DulState.Sta7AwaitingReleaseRp, DulEvent.Evt10PDataReceived) => (DulAction.AR6, DulState.Sta7AwaitingReleaseRp),
            (DulState.Sta7AwaitingReleaseRp, DulEvent.Evt12ReleaseRqReceived) =>
                (DulAction.AR8, requestor ? DulState.Sta9CollisionRequestorAwaitingLocalResponse : DulState.Sta10CollisionAcceptorAwaitingReleaseRp),
            (DulState.Sta7AwaitingReleaseRp, DulEvent.Evt13ReleaseRpReceived) => (DulAction.AR3, DulState.Sta1Idle),
            (DulState.Sta8AwaitingLocalReleaseResponse, DulEvent.Evt9PDataRequestLocal) => (DulAction.AR7, DulState.Sta8AwaitingLocalReleaseResponse),
            (DulState.Sta8AwaitingLocalReleaseResponse, DulEvent.Evt14ReleaseResponseLocal) => (DulAction.AR4, DulState.Sta13AwaitingTransportClose),
            (DulState.Sta9CollisionRequestorAwaitingLocalResponse, DulEvent.Evt14ReleaseResponseLocal) => (DulAction.AR9, DulState.Sta11CollisionRequestorAwaitingReleaseRp),
            (DulState.Sta10CollisionAcceptorAwaitingReleaseRp, DulEvent.Evt13ReleaseRpReceived) => (DulAction.AR10, DulState.Sta12CollisionAcceptorAwaitingLocalResponse),
            (DulState.Sta11CollisionRequestorAwaitingReleaseRp, DulEvent.Evt13ReleaseRpReceived) => (DulAction.AR3, DulState.Sta1Idle),
            (DulState.Sta12CollisionAcceptorAwaitingLocalResponse, DulEvent.Evt14ReleaseResponseLocal) => (DulAction.AR4, DulState.Sta13AwaitingTransportClose),
            _ => ((DulAction)(-1), state),
        };
        if ((int)next.Item1 >= 0)
        {
            return next;
        }
        // Any other PDU in Sta3, Sta5-Sta12 is unexpected: AA-8 (send A-ABORT, close).
        return IsReceivedPdu(evt) ? (DulAction.AA8, DulState.Sta13AwaitingTransportClose) : Invalid(state, evt);
    }

    private static bool IsReceivedPdu(DulEvent evt) => evt is DulEvent.Evt3AssociateAcReceived or DulEvent.Evt4AssociateRjReceived
        or DulEvent.Evt6AssociateRqReceived or DulEvent.Evt10PDataReceived or DulEvent.Evt12ReleaseRqReceived
        or DulEvent.Evt13ReleaseRpReceived or DulEvent.Evt19InvalidPdu;

    private static (DulAction, DulState) Invalid(DulState state, DulEvent evt) =>
        throw new InvalidOperationException($"{evt} is not valid in {state} (PS3.8 Table 9-10)");
}
