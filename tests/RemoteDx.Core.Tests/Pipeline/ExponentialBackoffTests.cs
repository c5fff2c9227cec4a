using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Tests.Pipeline;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void The_delay_starts_at_the_base_doubles_per_attempt_and_stops_at_the_cap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));
        Assert.Equal([5, 5, 10, 20, 40, 80, 160, 320, 600, 600],
            new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }.Select(a => backoff.After(a).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(10), backoff.After(int.MaxValue));
        Assert.Equal(TimeSpan.Zero, new ExponentialBackoff(TimeSpan.Zero, TimeSpan.FromMinutes(1)).After(3));
    }
}
