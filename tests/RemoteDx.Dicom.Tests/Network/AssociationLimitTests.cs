using System.Diagnostics;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>MaxAssociationDuration and MinBytesPerSecond against a scripted peer that trickles a data set: a 16-byte
/// PDV every 100 ms keeps well inside the DIMSE timeout, so only these limits can end it.</summary>
public sealed class AssociationLimitTests
{
    [Fact]
    public async Task A_trickling_peer_is_aborted_when_MinBytesPerSecond_is_set()
    {
        await using var s = await TestServer.StartAsync(o => { o.DimseTimeout = TimeSpan.FromSeconds(2); o.MinBytesPerSecond = 1000; });
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.AssociateAsync();
        using var stop = new CancellationTokenSource();
        var sw = Stopwatch.StartNew();
        var trickle = TrickleAsync(p, stop.Token);

        var abort = await p.ReadPduAsync(seconds: 10);
        await stop.CancelAsync();
        Assert.Equal((byte)PduType.Abort, abort?.Type);
        Assert.Equal((byte)AbortSource.ServiceProvider, abort!.Value.Body[2]);
        Assert.InRange(sw.Elapsed, AssociationLimits.RateGrace, TimeSpan.FromSeconds(6));
        Assert.Contains("MinBytesPerSecond", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
        await trickle;
    }

    [Fact]
    public async Task A_trickling_peer_is_aborted_when_MaxAssociationDuration_is_reached()
    {
        await using var s = await TestServer.StartAsync(o => { o.DimseTimeout = TimeSpan.FromSeconds(2); o.MaxAssociationDuration = TimeSpan.FromSeconds(1); });
        using var p = await Parrot.ConnectAsync(s.Port);
        var sw = Stopwatch.StartNew();
        await p.AssociateAsync();
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(p, stop.Token);

        var abort = await p.ReadPduAsync(seconds: 10);
        await stop.CancelAsync();
        Assert.Equal((byte)PduType.Abort, abort?.Type);
        Assert.InRange(sw.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6));
        Assert.Contains("MaxAssociationSeconds", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
        await trickle;
    }

    [Fact]
    public async Task A_silent_association_is_aborted_at_MaxAssociationDuration_before_the_idle_timeout()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxAssociationDuration = TimeSpan.FromSeconds(1));
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.AssociateAsync();
        var abort = await p.ReadPduAsync(seconds: 10);
        Assert.Equal((byte)PduType.Abort, abort?.Type);
        Assert.Contains("MaxAssociationSeconds", (await s.Observer.NextAsync()).Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_limits_a_trickling_peer_inside_the_DIMSE_timeout_is_not_cut_off()
    {
        Assert.Null(new DicomServerOptions().MaxAssociationDuration);
        Assert.Null(new DicomServerOptions().MinBytesPerSecond);
        await using var s = await TestServer.StartAsync(o => o.DimseTimeout = TimeSpan.FromSeconds(2));
        using var p = await Parrot.ConnectAsync(s.Port);
        await p.AssociateAsync();
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(p, stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => p.ReadPduAsync(seconds: 3));
        await stop.CancelAsync();
        await trickle;
    }

    /// <summary>A C-STORE-RQ, then its data set 16 bytes at a time every 100 ms until stopped or cut off.</summary>
    private static async Task TrickleAsync(Parrot p, CancellationToken stop)
    {
        await p.SendAsync(Parrot.PData(3, true, true, DimseCodec.Encode(new DimseCommand
        {
            CommandField = DimseCommandField.CStoreRq, MessageId = 1, AffectedSopClassUid = "1.2.840.10008.5.1.4.1.1.2",
            AffectedSopInstanceUid = "1.2.3.4", Priority = DimsePriority.Medium, HasDataSet = true,
        })));
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await p.SendAsync(Parrot.PData(3, false, false, new byte[16]));
                await Task.Delay(100, stop);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Cut off, or stopped by the test.
        }
    }
}
