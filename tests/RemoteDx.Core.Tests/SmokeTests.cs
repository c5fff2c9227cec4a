using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Tests;

public sealed class ScoringResultTests
{
    [Fact]
    public void Priority_is_the_largest_probability_times_urgency_over_positive_labels()
    {
        var score = new ModelScore("m", "1", "x",
            [
                new LabelScore("a", 0.9f, Positive: false, 0.95f, 1f, Critical: true),
                new LabelScore("b", 0.8f, Positive: true, 0.5f, 0.5f, Critical: false),
                new LabelScore("c", 0.6f, Positive: true, 0.5f, 1f, Critical: false),
            ], [], new InputPlacement(0, 0, 1, 1));
        Assert.Equal(0.6f, score.Priority, 6);
        Assert.False(score.Stat);
    }
}
