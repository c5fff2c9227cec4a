using System.Net;
using System.Net.Sockets;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>Every cell of PS3.8 Table 9-10 (13 states x 19 events), each checked against a table written out here
/// from the standard, independently of the one in <see cref="DulStateMachine"/> (pynetdicom's test_fsm.py walks its
/// table the same way).</summary>
public sealed class DulStateMachineTests
{
    // PS3.8 Table 9-10, transcribed from the standard. A cell is "action>next state" with the next state from the
    // action's definition in Tables 9-6 to 9-9; "-" is a blank cell of the standard. AR-8's next state depends on
    // the role: Sta9 for the association-requestor, Sta10 for the acceptor ("9/10"). AE-6's next state is Sta3 if the
    // A-ASSOCIATE-RQ is acceptable to the provider, else Sta13 with an A-ASSOCIATE-RJ; RemoteDx lets the service user
    // decide (Sta3, then Evt8/AE-8 to Sta13), so the expected entry is Sta3.
    private const string Table910 = """
        Evt  | Sta1  | Sta2  | Sta3  | Sta4  | Sta5  | Sta6  | Sta7     | Sta8  | Sta9  | Sta10  | Sta11 | Sta12 | Sta13
        1    | AE-1>4| -     | -     | -     | -     | -     | -        | -     | -     | -      | -     | -     | -
        2    | -     | -     | -     | AE-2>5| -     | -     | -        | -     | -     | -      | -     | -     | -
        3    | -     | AA-1>13| AA-8>13| -   | AE-3>6| AA-8>13| AA-8>13 | AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-6>13
        4    | -     | AA-1>13| AA-8>13| -   | AE-4>1| AA-8>13| AA-8>13 | AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-6>13
        5    | AE-5>2| -     | -     | -     | -     | -     | -        | -     | -     | -      | -     | -     | -
        6    | -     | AE-6>3| AA-8>13| -    | AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-7>13
        7    | -     | -     | AE-7>6| -     | -     | -     | -        | -     | -     | -      | -     | -     | -
        8    | -     | -     | AE-8>13| -    | -     | -     | -        | -     | -     | -      | -     | -     | -
        9    | -     | -     | -     | -     | -     | DT-1>6| -        | AR-7>8| -     | -      | -     | -     | -
        10   | -     | AA-1>13| AA-8>13| -   | AA-8>13| DT-2>6| AR-6>7  | AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-6>13
        11   | -     | -     | -     | -     | -     | AR-1>7| -        | -     | -     | -      | -     | -     | -
        12   | -     | AA-1>13| AA-8>13| -   | AA-8>13| AR-2>8| AR-8>9/10| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-6>13
        13   | -     | AA-1>13| AA-8>13| -   | AA-8>13| AA-8>13| AR-3>1  | AA-8>13| AA-8>13| AR-10>12| AR-3>1| AA-8>13| AA-6>13
        14   | -     | -     | -     | -     | -     | -     | -        | AR-4>13| AR-9>11| -     | -     | AR-4>13| -
        15   | -     | -     | AA-1>13| AA-2>1| AA-1>13| AA-1>13| AA-1>13| AA-1>13| AA-1>13| AA-1>13| AA-1>13| AA-1>13| -
        16   | -     | AA-2>1| AA-3>1| -     | AA-3>1| AA-3>1| AA-3>1   | AA-3>1| AA-3>1| AA-3>1 | AA-3>1| AA-3>1| AA-2>1
        17   | -     | AA-5>1| AA-4>1| AA-4>1| AA-4>1| AA-4>1| AA-4>1   | AA-4>1| AA-4>1| AA-4>1 | AA-4>1| AA-4>1| AR-5>1
        18   | -     | AA-2>1| -     | -     | -     | -     | -        | -     | -     | -      | -     | -     | AA-2>1
        19   | -     | AA-1>13| AA-8>13| -   | AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-8>13| AA-7>13
        """;

    private static readonly string[][] Rows = Table910.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Skip(1)
        .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
        .ToArray();

    /// <summary>(state, event, requestor, expected cell) for all 13 x 19 cells, from both sides of an association.</summary>
    public static TheoryData<int, int, bool, string> Cells()
    {
        var data = new TheoryData<int, int, bool, string>();
        foreach (var row in Rows)
        {
            var evt = int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture);
            for (var sta = 1; sta <= 13; sta++)
            {
                data.Add(sta, evt, true, row[sta]);
                data.Add(sta, evt, false, row[sta]);
            }
        }
        return data;
    }

    [Fact]
    public void TheTranscribedTableCoversThirteenStatesAndNineteenEvents()
    {
        Assert.Equal(19, Rows.Length);
        Assert.All(Rows, r => Assert.Equal(14, r.Length));
        Assert.Equal(Enumerable.Range(1, 19), Rows.Select(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(13, Enum.GetValues<DulState>().Length);
        Assert.Equal(19, Enum.GetValues<DulEvent>().Length);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void EachCellOfTable910HasTheStandardsActionAndNextState(int sta, int evt, bool requestor, string expected)
    {
        var state = (DulState)sta;
        var @event = (DulEvent)evt;
        if (expected == "-")
        {
            Assert.Null(DulStateMachine.ActionFor(state, @event));
            var ex = Assert.Throws<InvalidOperationException>(() => DulStateMachine.Transition(state, @event, requestor));
            Assert.Contains("Table 9-10", ex.Message, StringComparison.Ordinal);
            return;
        }
        var parts = expected.Split('>');
        var action = Enum.Parse<DulAction>(parts[0].Replace("-", "", StringComparison.Ordinal));
        var nexts = parts[1].Split('/');
        var next = (DulState)int.Parse(nexts.Length == 2 && !requestor ? nexts[1] : nexts[0], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(action, DulStateMachine.ActionFor(state, @event));
        Assert.Equal((action, next), DulStateMachine.Transition(state, @event, requestor));
    }

    [Theory]
    [InlineData(PduType.AssociateRq, DulEvent.Evt6AssociateRqReceived)]
    [InlineData(PduType.AssociateAc, DulEvent.Evt3AssociateAcReceived)]
    [InlineData(PduType.AssociateRj, DulEvent.Evt4AssociateRjReceived)]
    [InlineData(PduType.PDataTf, DulEvent.Evt10PDataReceived)]
    [InlineData(PduType.ReleaseRq, DulEvent.Evt12ReleaseRqReceived)]
    [InlineData(PduType.ReleaseRp, DulEvent.Evt13ReleaseRpReceived)]
    [InlineData(PduType.Abort, DulEvent.Evt16AbortReceived)]
    [InlineData((PduType)0x08, DulEvent.Evt19InvalidPdu)]
    [InlineData((PduType)0x00, DulEvent.Evt19InvalidPdu)]
    public void EachReceivedPduTypeIsItsTable910Event(PduType type, DulEvent expected) =>
        Assert.Equal(expected, DulStateMachine.EventFor(type));

    [Fact]
    public void AReceivedPduHasAnActionInEveryStateWithATransportConnection()
    {
        // Only Sta1 (idle) and Sta4 (transport still opening) have no connection a PDU could arrive on.
        DulEvent[] received =
        [
            DulEvent.Evt3AssociateAcReceived, DulEvent.Evt4AssociateRjReceived, DulEvent.Evt6AssociateRqReceived,
            DulEvent.Evt10PDataReceived, DulEvent.Evt12ReleaseRqReceived, DulEvent.Evt13ReleaseRpReceived,
            DulEvent.Evt16AbortReceived, DulEvent.Evt19InvalidPdu,
        ];
        foreach (var state in Enum.GetValues<DulState>().Where(s => s is not (DulState.Sta1Idle or DulState.Sta4AwaitingTransportOpen)))
        {
            Assert.All(received, e => Assert.NotNull(DulStateMachine.ActionFor(state, e)));
        }
    }

    [Fact]
    public async Task ALocalAbortBeforeTheAssociateRqClosesTheTransportWithoutAnAbortPdu()
    {
        // Sta2 + Evt15 is a blank cell: with no association yet there is nothing to abort, so the Dul only closes.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var peer = new TcpClient();
        await peer.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        await using var dul = new Dul(accepted.GetStream(), accepted, requestor: false, 16384, TimeSpan.FromSeconds(30));
        Assert.Equal(DulState.Sta2TransportOpen, dul.State);

        await dul.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified, CancellationToken.None);

        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await peer.GetStream().ReadAsync(buffer, cts.Token));
    }
}
