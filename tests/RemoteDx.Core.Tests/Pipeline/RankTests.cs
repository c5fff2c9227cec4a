using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>The ranking rule, tested here once; the store contract checks that the worklist persists and orders by it on
/// every store.</summary>
public sealed class RankTests
{
    [Fact]
    public void Priority_is_the_largest_probability_times_urgency_over_positive_findings_and_STAT_needs_a_positive_critical_one()
    {
        var rank = Rank.None
            .With(0.9, 1.0, positive: false, critical: true)  // negative: counts for nothing, not even STAT
            .With(0.8, 0.5, positive: true, critical: false)  // 0.4
            .With(0.6, 1.0, positive: true, critical: false)  // 0.6, the largest
            .With(0.3, 1.0, positive: true, critical: false);
        Assert.Equal(0.6, rank.Priority, 12);
        Assert.False(rank.Stat);
        Assert.True(rank.With(0.1, 0.1, positive: true, critical: true).Stat);
        Assert.Equal(new Rank(0, false), Rank.None);
        Assert.Equal(Rank.None, Rank.None.With(double.NaN, 1, positive: true, critical: false));
    }

    [Fact]
    public void A_model_verdict_is_ranked_by_the_same_rule()
    {
        var score = new ModelScore("m", "1", "x",
            [
                new LabelScore("a", 0.9f, Positive: false, 0.95f, 1f, Critical: true),
                new LabelScore("b", 0.8f, Positive: true, 0.5f, 0.5f, Critical: false),
                new LabelScore("c", 0.6f, Positive: true, 0.5f, 1f, Critical: true),
            ], [], new InputPlacement(0, 0, 1, 1));
        Assert.Equal(Rank.None.With(0.9f, 1f, false, true).With(0.8f, 0.5f, true, false).With(0.6f, 1f, true, true), score.Rank);
        Assert.Equal((0.6f, true), (score.Priority, score.Stat));
    }
}
