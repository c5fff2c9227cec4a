// PS3.8 9.2 DICOM upper layer state machine: states Sta1-Sta13, events Evt1-Evt19, Table 9-10 transitions
using static RemoteDx.Dicom.Network.DulAction;

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

/// <summary>PS3.8 Table 9-10 as data: one row per event, one column per state, the action in each cell; the next
/// state is the one the standard gives for that action (Tables 9-6 to 9-9). A blank cell of the standard is null
/// here: the standard defines no behaviour for it, so firing it is a programming error of ours, never a peer's (every
/// received PDU has an entry in every state where a transport connection exists).</summary>
public static class DulStateMachine
{
    private static readonly DulAction? __ = null;

    // PS3.8 Table 9-10. Rows Evt1-Evt19, columns Sta1-Sta13.
    private static readonly DulAction?[][] Table =
    [
        //         Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
        /* Evt1 */ [AE1, __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __],
        /* Evt2 */ [__,  __,   __,   AE2,  __,   __,   __,   __,   __,   __,   __,   __,   __],
        /* Evt3 */ [__,  AA1,  AA8,  __,   AE3,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA6],
        /* Evt4 */ [__,  AA1,  AA8,  __,   AE4,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA6],
        /* Evt5 */ [AE5, __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __],
        /* Evt6 */ [__,  AE6,  AA8,  __,   AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA7],
        /* Evt7 */ [__,  __,   AE7,  __,   __,   __,   __,   __,   __,   __,   __,   __,   __],
        /* Evt8 */ [__,  __,   AE8,  __,   __,   __,   __,   __,   __,   __,   __,   __,   __],
        /* Evt9 */ [__,  __,   __,   __,   __,   DT1,  __,   AR7,  __,   __,   __,   __,   __],
        /* Evt10 */ [__, AA1,  AA8,  __,   AA8,  DT2,  AR6,  AA8,  AA8,  AA8,  AA8,  AA8,  AA6],
        /* Evt11 */ [__, __,   __,   __,   __,   AR1,  __,   __,   __,   __,   __,   __,   __],
        /* Evt12 */ [__, AA1,  AA8,  __,   AA8,  AR2,  AR8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA6],
        /* Evt13 */ [__, AA1,  AA8,  __,   AA8,  AA8,  AR3,  AA8,  AA8,  AR10, AR3,  AA8,  AA6],
        /* Evt14 */ [__, __,   __,   __,   __,   __,   __,   AR4,  AR9,  __,   __,   AR4,  __],
        /* Evt15 */ [__, __,   AA1,  AA2,  AA1,  AA1,  AA1,  AA1,  AA1,  AA1,  AA1,  AA1,  __],
        /* Evt16 */ [__, AA2,  AA3,  __,   AA3,  AA3,  AA3,  AA3,  AA3,  AA3,  AA3,  AA3,  AA2],
        /* Evt17 */ [__, AA5,  AA4,  AA4,  AA4,  AA4,  AA4,  AA4,  AA4,  AA4,  AA4,  AA4,  AR5],
        /* Evt18 */ [__, AA2,  __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   AA2],
        /* Evt19 */ [__, AA1,  AA8,  __,   AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA8,  AA7],
    ];

    /// <summary>The next state each action leads to (PS3.8 Tables 9-6 to 9-9), indexed by action. AE-6 and AR-8 have
    /// two; see <see cref="Transition"/>.</summary>
    private static readonly DulState[] NextState =
    [
        /* AE1 */ DulState.Sta4AwaitingTransportOpen,
        /* AE2 */ DulState.Sta5AwaitingAssociateAcOrRj,
        /* AE3 */ DulState.Sta6DataTransfer,
        /* AE4 */ DulState.Sta1Idle,
        /* AE5 */ DulState.Sta2TransportOpen,
        /* AE6 */ DulState.Sta3AwaitingLocalAssociateResponse,
        /* AE7 */ DulState.Sta6DataTransfer,
        /* AE8 */ DulState.Sta13AwaitingTransportClose,
        /* DT1 */ DulState.Sta6DataTransfer,
        /* DT2 */ DulState.Sta6DataTransfer,
        /* AR1 */ DulState.Sta7AwaitingReleaseRp,
        /* AR2 */ DulState.Sta8AwaitingLocalReleaseResponse,
        /* AR3 */ DulState.Sta1Idle,
        /* AR4 */ DulState.Sta13AwaitingTransportClose,
        /* AR5 */ DulState.Sta1Idle,
        /* AR6 */ DulState.Sta7AwaitingReleaseRp,
        /* AR7 */ DulState.Sta8AwaitingLocalReleaseResponse,
        /* AR8 */ DulState.Sta9CollisionRequestorAwaitingLocalResponse,
        /* AR9 */ DulState.Sta11CollisionRequestorAwaitingReleaseRp,
        /* AR10 */ DulState.Sta12CollisionAcceptorAwaitingLocalResponse,
        /* AA1 */ DulState.Sta13AwaitingTransportClose,
        /* AA2 */ DulState.Sta1Idle,
        /* AA3 */ DulState.Sta1Idle,
        /* AA4 */ DulState.Sta1Idle,
        /* AA5 */ DulState.Sta1Idle,
        /* AA6 */ DulState.Sta13AwaitingTransportClose,
        /* AA7 */ DulState.Sta13AwaitingTransportClose,
        /* AA8 */ DulState.Sta13AwaitingTransportClose,
    ];

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

    /// <summary>The action Table 9-10 gives for <paramref name="evt"/> in <paramref name="state"/>, or null for a
    /// blank cell.</summary>
    public static DulAction? ActionFor(DulState state, DulEvent evt)
    {
        var row = (int)evt - 1;
        var column = (int)state - 1;
        if ((uint)row >= (uint)Table.Length || (uint)column >= (uint)Table[row].Length)
        {
            throw new ArgumentOutOfRangeException(nameof(evt), $"{evt} in {state} is not a cell of PS3.8 Table 9-10");
        }
        return Table[row][column];
    }

    /// <param name="requestor">Whether this side sent the A-ASSOCIATE-RQ (decides AR-8 on a release collision).</param>
    /// <remarks>AE-6 goes to Sta3: whether the A-ASSOCIATE-RQ is acceptable is decided by the caller, and a
    /// rejection is then Evt8 from Sta3 (AE-8, Sta13), the same wire behaviour as AE-6's own Sta13 branch.</remarks>
    /// <exception cref="InvalidOperationException">A blank cell of Table 9-10.</exception>
    public static (DulAction Action, DulState Next) Transition(DulState state, DulEvent evt, bool requestor)
    {
        var action = ActionFor(state, evt)
            ?? throw new InvalidOperationException($"{evt} is not valid in {state} (PS3.8 Table 9-10 has no action for it)");
        // PS3.8 Table 9-8 AR-8: next state Sta9 for the association-requestor, Sta10 for the acceptor.
        var next = action == AR8 && !requestor ? DulState.Sta10CollisionAcceptorAwaitingReleaseRp : NextState[(int)action];
        return (action, next);
    }
}
