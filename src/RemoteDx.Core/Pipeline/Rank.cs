namespace RemoteDx.Core.Pipeline;

/// <summary>The ranking rule (docs/api.md), written once: a finding counts only when positive; priority is the largest
/// probability × urgency over the positive findings (0 when none); STAT when a positive finding is critical. The same
/// rule ranks one model's verdict on one image (<see cref="Inference.ModelScore"/>) and a whole study (the store folds
/// the study's findings through it and persists the result, then orders the worklist STAT first, priority descending,
/// earliest arrival first).</summary>
public readonly record struct Rank(double Priority, bool Stat)
{
    /// <summary>Nothing positive yet.</summary>
    public static Rank None => default;

    /// <summary>This rank with one more finding counted.</summary>
    public Rank With(double probability, double urgency, bool positive, bool critical)
    {
        if (!positive)
        {
            return this;
        }
        var p = probability * urgency;
        // Written as a comparison (not Math.Max) so a NaN probability never becomes the priority.
        return new Rank(p > Priority ? p : Priority, Stat || critical);
    }
}
