using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>A scripted peer that sends exactly the bytes a test wants (pynetdicom's "parrot").</summary>
internal sealed class Parrot : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private Parrot(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<Parrot> ConnectAsync(int port)
    {
        var c = new TcpClient { NoDelay = true };
        await c.ConnectAsync(IPAddress.Loopback, port);
        return new Parrot(c);
    }

    public async Task SendAsync(byte[] bytes, int chunk = 0)
    {
        if (chunk <= 0)
        {
            await _stream.WriteAsync(bytes);
            return;
        }
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            await _stream.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
            await _stream.FlushAsync();
            await Task.Delay(5);
        }
    }

    /// <summary>The next PDU as (type, body), or null when the server closed the connection.</summary>
    public async Task<(byte Type, byte[] Body)?> ReadPduAsync(int seconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var header = new byte[6];
        try
        {
            if (await _stream.ReadAtLeastAsync(header, 6, throwOnEndOfStream: false, cts.Token) < 6)
            {
                return null;
            }
            var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
            await _stream.ReadExactlyAsync(body, cts.Token);
            return (header[0], body);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _client.Dispose();

    public static byte[] AssociateRq(string called = "REMOTEDX", string calling = "PARROT", uint maxPdu = 16384) =>
        PduWriter.Encode(new AAssociateRq(1, called, calling, "1.2.840.10008.3.1.1.1",
        [
            new PresentationContextItem(1, DicomUids.Verification, [TransferSyntax.ImplicitVRLittleEndian.Uid]),
            new PresentationContextItem(3, "1.2.840.10008.5.1.4.1.1.2", [TransferSyntax.ExplicitVRLittleEndian.Uid]),
        ], new UserInformation { MaximumLength = maxPdu, ImplementationClassUid = "1.2.3" }));

    public static byte[] PData(byte pcId, bool command, bool last, byte[] data)
    {
        var pdu = new byte[PduWriter.PDataOverhead + data.Length];
        PduWriter.WritePDataHeader(pdu, pcId, command, last, data.Length);
        data.CopyTo(pdu, PduWriter.PDataOverhead);
        return pdu;
    }

    public static byte[] EchoRq() => PData(1, true, true, DimseCodec.Encode(new DimseCommand
    {
        CommandField = DimseCommandField.CEchoRq, MessageId = 1, AffectedSopClassUid = DicomUids.Verification,
    }));

    public static readonly byte[] ReleaseRq = [0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0];

    public async Task AssociateAsync()
    {
        await SendAsync(AssociateRq());
        var ac = await ReadPduAsync();
        Assert.Equal((byte)PduType.AssociateAc, ac?.Type);
    }
}

public sealed class ParrotTests
{
    [Fact]
    public async Task PdusSplitAcrossManyTcpWritesAreReassembled()
    {
        await using var s = await TestServer.StartAsync();
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.SendAsync(Parrot.AssociateRq(), chunk: 7);
        Assert.Equal((byte)PduType.AssociateAc, (await p.ReadPduAsync())?.Type);
        await p.SendAsync(Parrot.EchoRq(), chunk: 3);
        var rsp = await p.ReadPduAsync();
        Assert.Equal((byte)PduType.PDataTf, rsp?.Type);
        var cmd = DimseCodec.Decode(rsp!.Value.Body.AsSpan(6));
        Assert.Equal(DimseCommandField.CEchoRsp, cmd.CommandField);
        Assert.Equal((ushort)0, cmd.Status);
        await p.SendAsync(Parrot.ReleaseRq);
        Assert.Equal((byte)PduType.ReleaseRp, (await p.ReadPduAsync())?.Type);
        p.Dispose();
        Assert.Equal("released", (await s.Observer.NextAsync()).Outcome);
    }

    [Fact]
    public async Task PDataLargerThanNegotiatedIsAborted()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxPduLength = 16384);
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.AssociateAsync();
        await p.SendAsync(Parrot.PData(3, false, false, new byte[16384 + 100]));
        var abort = await p.ReadPduAsync();
        Assert.Equal((byte)PduType.Abort, abort?.Type);
        Assert.Equal((byte)AbortSource.ServiceProvider, abort!.Value.Body[2]);
        Assert.StartsWith("aborted", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbortMidDatasetDeletesTheTempFileAndNeverCallsTheHandler()
    {
        await using var s = await TestServer.StartAsync();
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.AssociateAsync();
        await p.SendAsync(Parrot.PData(3, true, true, DimseCodec.Encode(new DimseCommand
        {
            CommandField = DimseCommandField.CStoreRq, MessageId = 1, AffectedSopClassUid = "1.2.840.10008.5.1.4.1.1.2",
            AffectedSopInstanceUid = "1.2.3.4", Priority = DimsePriority.Medium, HasDataSet = true,
        })));
        await p.SendAsync(Parrot.PData(3, false, false, new byte[8000]));
        // The temp file exists while the data set arrives.
        var sw = Stopwatch.StartNew();
        while (!Directory.Exists(s.TempDir) || !Directory.EnumerateFiles(s.TempDir).Any())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "no temp file appeared");
            await Task.Delay(20);
        }
        await p.SendAsync([0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
        var record = await s.Observer.NextAsync();
        Assert.StartsWith("aborted", record.Outcome, StringComparison.Ordinal);
        Assert.Equal(0, s.Handler.Calls);
        Assert.Empty(Directory.EnumerateFiles(s.TempDir));
    }

    [Fact]
    public async Task UnknownPduTypeIsAbortedWithUnrecognizedPdu()
    {
        await using var s = await TestServer.StartAsync();
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.AssociateAsync();
        await p.SendAsync([0x0A, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
        var abort = await p.ReadPduAsync();
        Assert.Equal((byte)PduType.Abort, abort?.Type);
        Assert.Equal([0, 0, 2, AbortReason.UnrecognizedPdu], abort!.Value.Body);
    }

    [Fact]
    public async Task UnknownItemTypeInAssociateRqIsIgnored()
    {
        await using var s = await TestServer.StartAsync();
        using var p = await Parrot.ConnectAsync(s.Port);
        var rq = Parrot.AssociateRq().Concat(new byte[] { 0x77, 0, 0, 2, 0xAB, 0xCD }).ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(rq.AsSpan(2), (uint)(rq.Length - 6));
        await p.SendAsync(rq);
        var ac = await p.ReadPduAsync();
        Assert.Equal((byte)PduType.AssociateAc, ac?.Type);
        var parsed = Assert.IsType<AAssociateAc>(PduReader.Parse([.. new byte[] { 2, 0 }, .. BitConverter.GetBytes((uint)ac!.Value.Body.Length).Reverse(), .. ac.Value.Body]));
        Assert.All(parsed.PresentationContexts, pc => Assert.Equal(PresentationContextResult.Acceptance, pc.Result));
    }

    [Fact]
    public async Task BadCalledAeIsRejectedPermanentlyByTheServiceUser()
    {
        await using var s = await TestServer.StartAsync();
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.SendAsync(Parrot.AssociateRq(called: "SOMEONEELSE"));
        var rj = await p.ReadPduAsync();
        Assert.Equal((byte)PduType.AssociateRj, rj?.Type);
        Assert.Equal([0x00, 0x01, 0x01, 0x07], rj!.Value.Body);
        p.Dispose();
        Assert.Equal("rejected:called-ae-not-recognized", (await s.Observer.NextAsync()).Outcome);
    }

    [Fact]
    public async Task CallingAeOutsideTheAllowListIsRejected()
    {
        await using var s = await TestServer.StartAsync(o =>
        {
            o.AllowedCallingAEs.Add(new AllowedCallingAE("MODALITY", "127.0.0.1"));
            o.AllowedCallingAEs.Add(new AllowedCallingAE("ELSEWHERE", "10.9.9.9"));
        });
        using (var ok = await Parrot.ConnectAsync(s.Port))
        {
            await ok.SendAsync(Parrot.AssociateRq(calling: "MODALITY"));
            Assert.Equal((byte)PduType.AssociateAc, (await ok.ReadPduAsync())?.Type);
        }
        foreach (var calling in new[] { "STRANGER", "ELSEWHERE" })
        {
            using var p = await Parrot.ConnectAsync(s.Port);
            await p.SendAsync(Parrot.AssociateRq(calling: calling));
            var rj = await p.ReadPduAsync();
            Assert.Equal((byte)PduType.AssociateRj, rj?.Type);
            Assert.Equal([0x00, 0x01, 0x01, 0x03], rj!.Value.Body);
        }
    }

    [Fact]
    public async Task GarbageBytesAreAbortedOrClosed()
    {
        await using var s = await TestServer.StartAsync();
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var answer = await p.ReadPduAsync();
        Assert.True(answer is null || answer.Value.Type == (byte)PduType.Abort, $"got PDU type {answer?.Type}");
        Assert.StartsWith("aborted", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentPeerIsClosedWhenArtimExpires()
    {
        await using var s = await TestServer.StartAsync(o => o.ArtimTimeout = TimeSpan.FromSeconds(1));
        using var p = await Parrot.ConnectAsync(s.Port);
        var sw = Stopwatch.StartNew();
        Assert.Null(await p.ReadPduAsync(seconds: 10));
        // Not before ARTIM expires; no upper bound (a loaded CI machine may be slow to close), the read's own limit bounds it.
        Assert.True(sw.Elapsed.TotalSeconds >= 0.8, $"closed after {sw.Elapsed.TotalSeconds:F2} s, before ARTIM");
        Assert.StartsWith("timeout", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssociationsOverTheLimitAreRejectedTransiently()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxAssociations = 1);
        using var first = await Parrot.ConnectAsync(s.Port);
        await first.AssociateAsync();
        using var second = await Parrot.ConnectAsync(s.Port);
        await second.SendAsync(Parrot.AssociateRq());
        var rj = await second.ReadPduAsync();
        Assert.Equal((byte)PduType.AssociateRj, rj?.Type);
        Assert.Equal([0x00, 0x02, 0x03, 0x02], rj!.Value.Body);
    }

    [Fact]
    public async Task NotAcceptingAssociationsRejectsTransiently()
    {
        await using var s = await TestServer.StartAsync(o => o.AcceptingAssociations = () => false);
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.SendAsync(Parrot.AssociateRq());
        var rj = await p.ReadPduAsync();
        Assert.Equal([0x00, 0x02, 0x03, 0x02], rj!.Value.Body);
        p.Dispose();
        Assert.Equal("rejected:local-limit-exceeded", (await s.Observer.NextAsync()).Outcome);
    }

    [Fact]
    public async Task HandlerExceptionsBecomeStatusesAtOneBoundary()
    {
        await using var s = await TestServer.StartAsync();
        var file = Net.TestFile("CT_small.dcm");
        var contexts = new[] { new PresentationContextProposal("1.2.840.10008.5.1.4.1.1.2", [TransferSyntax.ExplicitVRLittleEndian.Uid]) };
        await using var client = await DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX" }, contexts);
        var cases = new (Exception Error, ushort Code)[]
        {
            (new DicomFormatException("bad"), 0xC000),
            (new OutOfResourcesException("queue full"), 0xA700),
            (new OutOfStorageException("disk reserve reached"), 0xA700),
            (new IOException("disk"), 0xA701),
            (new InvalidOperationException("bug"), 0x0110),
        };
        foreach (var (error, code) in cases)
        {
            s.Handler.Answer = _ => throw error;
            var status = await client.StoreAsync(file);
            Assert.Equal(code, status.Code);
            Assert.False(string.IsNullOrEmpty(status.ErrorComment));
        }
        Assert.Empty(Directory.EnumerateFiles(s.TempDir));
    }
}
