using System.Text;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>Hand-written PDU bytes laid out as in PS3.8 9.3 tables, decoded and re-encoded byte for byte.</summary>
public sealed class PduFixtureTests
{
    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Ae(string s) => A(s.PadRight(16));

    // A-ASSOCIATE-RQ (PS3.8 Table 9-11): version 1, called STORESCP, calling ECHOSCU, application context,
    // one presentation context (Verification, implicit VR LE), user information with maximum length 16384,
    // implementation class UID 1.2.3.4, role selection (Verification, SCU 1, SCP 0), version name TEST.
    private static readonly byte[] AssociateRq = Cat(
        [0x01, 0x00, 0x00, 0x00, 0x00, 0xC7],
        [0x00, 0x01, 0x00, 0x00], Ae("STORESCP"), Ae("ECHOSCU"), new byte[32],
        [0x10, 0x00, 0x00, 0x15], A("1.2.840.10008.3.1.1.1"),
        [0x20, 0x00, 0x00, 0x2E, 0x01, 0x00, 0x00, 0x00],
        [0x30, 0x00, 0x00, 0x11], A("1.2.840.10008.1.1"),
        [0x40, 0x00, 0x00, 0x11], A("1.2.840.10008.1.2"),
        [0x50, 0x00, 0x00, 0x34],
        [0x51, 0x00, 0x00, 0x04, 0x00, 0x00, 0x40, 0x00],
        [0x52, 0x00, 0x00, 0x07], A("1.2.3.4"),
        [0x54, 0x00, 0x00, 0x15, 0x00, 0x11], A("1.2.840.10008.1.1"), [0x01, 0x00],
        [0x55, 0x00, 0x00, 0x04], A("TEST"));

    // A-ASSOCIATE-AC (PS3.8 Table 9-17): context 1 accepted with implicit VR LE, maximum length 16384.
    private static readonly byte[] AssociateAc = Cat(
        [0x02, 0x00, 0x00, 0x00, 0x00, 0x91],
        [0x00, 0x01, 0x00, 0x00], Ae("STORESCP"), Ae("ECHOSCU"), new byte[32],
        [0x10, 0x00, 0x00, 0x15], A("1.2.840.10008.3.1.1.1"),
        [0x21, 0x00, 0x00, 0x19, 0x01, 0x00, 0x00, 0x00],
        [0x40, 0x00, 0x00, 0x11], A("1.2.840.10008.1.2"),
        [0x50, 0x00, 0x00, 0x13],
        [0x51, 0x00, 0x00, 0x04, 0x00, 0x00, 0x40, 0x00],
        [0x52, 0x00, 0x00, 0x07], A("1.2.3.4"));

    [Fact]
    public void AssociateRqDecodesAndReencodesByteForByte()
    {
        var rq = Assert.IsType<AAssociateRq>(PduReader.Parse(AssociateRq));
        Assert.Equal(1, rq.ProtocolVersion);
        Assert.Equal("STORESCP", rq.CalledAE);
        Assert.Equal("ECHOSCU", rq.CallingAE);
        Assert.Equal("1.2.840.10008.3.1.1.1", rq.ApplicationContextName);
        var pc = Assert.Single(rq.PresentationContexts);
        Assert.Equal(1, pc.Id);
        Assert.Equal("1.2.840.10008.1.1", pc.AbstractSyntax);
        Assert.Equal(["1.2.840.10008.1.2"], pc.TransferSyntaxes);
        Assert.Equal(16384u, rq.UserInformation.MaximumLength);
        Assert.Equal("1.2.3.4", rq.UserInformation.ImplementationClassUid);
        Assert.Equal("TEST", rq.UserInformation.ImplementationVersionName);
        Assert.Equal(new RoleSelectionItem("1.2.840.10008.1.1", true, false), Assert.Single(rq.UserInformation.RoleSelections));
        Assert.Equal(AssociateRq, PduWriter.Encode(rq));
    }

    [Fact]
    public void UnknownItemInAssociateRqIsSkipped()
    {
        var withUnknown = Cat(AssociateRq, [0x77, 0x00, 0x00, 0x02, 0xAB, 0xCD]);
        withUnknown[5] += 6;
        var rq = Assert.IsType<AAssociateRq>(PduReader.Parse(withUnknown));
        Assert.Single(rq.PresentationContexts);
        Assert.Equal(AssociateRq, PduWriter.Encode(rq));
    }

    [Fact]
    public void UserIdentityAsyncWindowAndExtendedNegotiationAreParsed()
    {
        var ui = new UserInformation
        {
            MaximumLength = 0,
            AsynchronousOperationsWindow = (3, 1),
            ExtendedNegotiations = [new ExtendedNegotiationItem("1.2.840.10008.5.1.4.1.1.2", [1, 0, 1])],
            UserIdentity = new UserIdentityItem(2, true, A("user"), A("pw")),
            OtherSubItems = [new RawSubItem(0x57, [0, 1, 2, 3])],
        };
        var rq = new AAssociateRq(1, "A", "B", "1.2.840.10008.3.1.1.1", [], ui);
        var back = Assert.IsType<AAssociateRq>(PduReader.Parse(PduWriter.Encode(rq)));
        Assert.Equal(((ushort)3, (ushort)1), back.UserInformation.AsynchronousOperationsWindow);
        Assert.Equal([1, 0, 1], Assert.Single(back.UserInformation.ExtendedNegotiations).ApplicationInformation);
        Assert.Equal(A("user"), back.UserInformation.UserIdentity!.PrimaryField);
        Assert.Equal(A("pw"), back.UserInformation.UserIdentity.SecondaryField);
        Assert.True(back.UserInformation.UserIdentity.PositiveResponseRequested);
        Assert.Equal(0x57, Assert.Single(back.UserInformation.OtherSubItems).ItemType);
    }

    [Fact]
    public void AssociateAcDecodesAndReencodesByteForByte()
    {
        var ac = Assert.IsType<AAssociateAc>(PduReader.Parse(AssociateAc));
        var pc = Assert.Single(ac.PresentationContexts);
        Assert.Equal(new PresentationContextResultItem(1, PresentationContextResult.Acceptance, "1.2.840.10008.1.2"), pc);
        Assert.Equal(16384u, ac.UserInformation.MaximumLength);
        Assert.Equal(AssociateAc, PduWriter.Encode(ac));
    }

    [Fact]
    public void AssociateRjRoundTrips()
    {
        byte[] bytes = [0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x01, 0x07];
        var rj = Assert.IsType<AAssociateRj>(PduReader.Parse(bytes));
        Assert.Equal(new AAssociateRj(RejectResult.RejectedPermanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized), rj);
        Assert.Equal(bytes, PduWriter.Encode(rj));
    }

    [Fact]
    public void PDataTfWithTwoPdvsRoundTrips()
    {
        byte[] bytes =
        [
            0x04, 0x00, 0x00, 0x00, 0x00, 0x12,
            0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0xAA, 0xBB, 0xCC, 0xDD, // command, last
            0x00, 0x00, 0x00, 0x04, 0x03, 0x00, 0xEE, 0xFF, // data set, more to come
        ];
        using var pd = Assert.IsType<PDataTf>(PduReader.Parse(bytes));
        Assert.Equal(2, pd.Pdvs.Count);
        Assert.True(pd.Pdvs[0].IsCommand);
        Assert.True(pd.Pdvs[0].IsLast);
        Assert.Equal([0xAA, 0xBB, 0xCC, 0xDD], pd.Pdvs[0].Data.ToArray());
        Assert.Equal(3, pd.Pdvs[1].PresentationContextId);
        Assert.False(pd.Pdvs[1].IsCommand);
        Assert.False(pd.Pdvs[1].IsLast);
        Assert.Equal(bytes, PduWriter.Encode(pd));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00 }, PduType.ReleaseRq)]
    [InlineData(new byte[] { 0x06, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00 }, PduType.ReleaseRp)]
    [InlineData(new byte[] { 0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x01 }, PduType.Abort)]
    public void ReleaseAndAbortRoundTrip(byte[] bytes, PduType type)
    {
        var pdu = PduReader.Parse(bytes);
        Assert.Equal(type, pdu.Type);
        Assert.Equal(bytes, PduWriter.Encode(pdu));
        if (pdu is AAbort ab)
        {
            Assert.Equal(AbortSource.ServiceProvider, ab.Source);
            Assert.Equal(AbortReason.UnrecognizedPdu, ab.Reason);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x09, 0x00, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0 }, AbortReason.UnrecognizedPdu)]
    [InlineData(new byte[] { 0x05, 0x00, 0x00, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue)]
    [InlineData(new byte[] { 0x01, 0x00, 0x7F, 0xFF, 0xFF, 0xFF }, AbortReason.InvalidPduParameterValue)]
    [InlineData(new byte[] { 0x04, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x09, 0x01, 0x03, 0, 0 }, AbortReason.InvalidPduParameterValue)]
    public void BadPdusAreRefusedWithTheirAbortReason(byte[] bytes, byte reason)
    {
        var ex = Assert.Throws<DicomPduException>(() => PduReader.Parse(bytes, 16384));
        Assert.Equal(reason, ex.AbortReason);
    }

    [Fact]
    public void PDataLargerThanAdvertisedIsRefusedBeforeReading()
    {
        byte[] header = [0x04, 0x00, 0x00, 0x01, 0x00, 0x00]; // 65536 bytes announced, none sent
        var ex = Assert.Throws<DicomPduException>(() => PduReader.Parse(header, 16384));
        Assert.Contains("16384", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandSetRoundTripsInImplicitVrLittleEndian()
    {
        var cmd = new DimseCommand
        {
            CommandField = DimseCommandField.CStoreRq,
            MessageId = 7,
            AffectedSopClassUid = "1.2.840.10008.5.1.4.1.1.2",
            AffectedSopInstanceUid = "1.2.3",
            Priority = DimsePriority.Medium,
            HasDataSet = true,
            MoveOriginatorAE = "MOVER",
            MoveOriginatorMessageId = 3,
        };
        var bytes = DimseCodec.Encode(cmd);
        // (0000,0000) UL, length 4, value = bytes after it.
        Assert.Equal([0, 0, 0, 0, 4, 0, 0, 0], bytes[..8]);
        Assert.Equal((uint)(bytes.Length - 12), BitConverter.ToUInt32(bytes, 8));
        Assert.Equal(cmd, DimseCodec.Decode(bytes));
    }

    [Fact]
    public void DulAbortsOnUnexpectedPduAndHandlesReleaseCollision()
    {
        Assert.Equal((DulAction.AA8, DulState.Sta13AwaitingTransportClose),
            DulStateMachine.Transition(DulState.Sta6DataTransfer, DulEvent.Evt6AssociateRqReceived, false));
        Assert.Equal((DulAction.AR8, DulState.Sta9CollisionRequestorAwaitingLocalResponse),
            DulStateMachine.Transition(DulState.Sta7AwaitingReleaseRp, DulEvent.Evt12ReleaseRqReceived, true));
        Assert.Equal((DulAction.AR8, DulState.Sta10CollisionAcceptorAwaitingReleaseRp),
            DulStateMachine.Transition(DulState.Sta7AwaitingReleaseRp, DulEvent.Evt12ReleaseRqReceived, false));
        Assert.Equal((DulAction.AR9, DulState.Sta11CollisionRequestorAwaitingReleaseRp),
            DulStateMachine.Transition(DulState.Sta9CollisionRequestorAwaitingLocalResponse, DulEvent.Evt14ReleaseResponseLocal, true));
        Assert.Equal((DulAction.AA1, DulState.Sta13AwaitingTransportClose),
            DulStateMachine.Transition(DulState.Sta2TransportOpen, DulEvent.Evt10PDataReceived, false));
        Assert.Equal((DulAction.AA2, DulState.Sta1Idle),
            DulStateMachine.Transition(DulState.Sta2TransportOpen, DulEvent.Evt18ArtimExpired, false));
    }

    [Fact]
    public void NegotiationKeepsLosslessCompressionThenPrefersExplicitLittleEndian()
    {
        var pref = PresentationContextNegotiator.DefaultPreference;
        var decodable = new HashSet<string> { "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50" };
        const string ct = "1.2.840.10008.5.1.4.1.1.2";
        Assert.Equal("1.2.840.10008.1.2.5", PresentationContextNegotiator.Negotiate(new(1, ct, ["1.2.840.10008.1.2", "1.2.840.10008.1.2.5"]), pref, decodable).TransferSyntax);
        Assert.Equal("1.2.840.10008.1.2.1", PresentationContextNegotiator.Negotiate(new(1, ct, ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]), pref, decodable).TransferSyntax);
        Assert.Equal("1.2.840.10008.1.2.1", PresentationContextNegotiator.Negotiate(new(1, ct, ["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.1"]), pref, decodable).TransferSyntax);
        Assert.Equal("1.2.840.10008.1.2.4.50", PresentationContextNegotiator.Negotiate(new(1, ct, ["1.2.840.10008.1.2.4.50"]), pref, decodable).TransferSyntax);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported,
            PresentationContextNegotiator.Negotiate(new(1, ct, ["1.2.840.10008.1.2.4.91"]), pref, decodable).Result);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported,
            PresentationContextNegotiator.Negotiate(new(1, "1.2.840.10008.5.1.4.1.2.2.1", ["1.2.840.10008.1.2"]), pref, decodable).Result);
    }
}
