using RemoteDx.Dicom.Network;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>DESIGN.md "Durability modes": SIGTERM drains. <see cref="DicomServer.DrainAsync"/> in process.</summary>
public sealed class DrainTests
{
    private static Task<DicomClient> ConnectAsync(TestServer s, string callingAe) =>
        DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX", CallingAE = callingAe },
            [PresentationContextProposal.Verification]);

    [Fact]
    public async Task While_draining_a_new_association_is_rejected_transient_and_an_open_one_finishes_and_releases()
    {
        await using var s = await TestServer.StartAsync();
        var open = await ConnectAsync(s, "OPEN");
        var drain = s.Server.DrainAsync(TimeSpan.FromSeconds(30));

        var rejected = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => ConnectAsync(s, "LATE"));
        Assert.Equal(RejectResult.RejectedTransient, rejected.Reject.Result);
        Assert.Equal(RejectReason.LocalLimitExceeded, rejected.Reject.Reason);

        Assert.Equal(0x0000, (await open.EchoAsync()).Code);
        await open.ReleaseAsync();
        await open.DisposeAsync();
        Assert.Equal(0, await drain.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(s.Observer.Records, r => r.Info.CallingAE == "OPEN" && r.Outcome == "released");
    }

    [Fact]
    public async Task At_the_drain_deadline_an_association_still_open_is_aborted()
    {
        await using var s = await TestServer.StartAsync();
        await using var idle = await ConnectAsync(s, "IDLE");
        Assert.Equal(1, await s.Server.DrainAsync(TimeSpan.FromMilliseconds(300)));
        await Assert.ThrowsAnyAsync<Exception>(async () => await idle.EchoAsync());
        Assert.Contains(s.Observer.Records, r => r.Info.CallingAE == "IDLE" && r.Outcome.StartsWith("aborted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_the_drain_aborts_at_once()
    {
        await using var s = await TestServer.StartAsync();
        await using var idle = await ConnectAsync(s, "IDLE");
        using var now = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = DateTime.UtcNow;
        Assert.Equal(1, await s.Server.DrainAsync(TimeSpan.FromSeconds(60), now.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }
}
