using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Tests.Pipeline;

public sealed class QuietPeriodTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void A_study_is_complete_once_its_last_image_is_the_quiet_period_old()
    {
        var quiet = QuietPeriod.FromSeconds(10);
        Assert.False(quiet.IsComplete(T0, T0.AddSeconds(9.999)));
        Assert.True(quiet.IsComplete(T0, T0.AddSeconds(10)));
        Assert.True(quiet.IsComplete(T0, T0.AddMinutes(1)));
        Assert.Equal(T0, quiet.CompleteUpTo(T0.AddSeconds(10)));
        Assert.True(QuietPeriod.FromSeconds(0).IsComplete(T0, T0));
    }
}
