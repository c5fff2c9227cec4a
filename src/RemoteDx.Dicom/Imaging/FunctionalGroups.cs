namespace RemoteDx.Dicom.Imaging;

/// <summary>Finds where a frame's transformation attributes live in an enhanced multi-frame image: the Per-Frame
/// Functional Groups item for the frame overrides the Shared Functional Groups, which override the top level.
/// PS3.3 C.7.6.16.</summary>
internal static class FunctionalGroups
{
    /// <summary>The dataset that holds <paramref name="probe"/> for <paramref name="frame"/>: the first item of the
    /// functional group macro <paramref name="macro"/> (per frame, then shared) when it holds the attribute, else
    /// the top-level dataset.</summary>
    public static Dataset Source(Dataset ds, int frame, Tag macro, Tag probe)
    {
        var perFrame = ds.GetSequence(Tag.PerFrameFunctionalGroupsSequence);
        if (perFrame is not null && frame >= 0 && frame < perFrame.Items.Count
            && MacroItem(perFrame.Items[frame], macro, probe) is { } own)
        {
            return own;
        }
        var shared = ds.GetSequence(Tag.SharedFunctionalGroupsSequence);
        if (shared is { Items.Count: > 0 } && MacroItem(shared.Items[0], macro, probe) is { } common)
        {
            return common;
        }
        return ds;
    }

    private static Dataset? MacroItem(Dataset group, Tag macro, Tag probe) =>
        group.GetSequence(macro) is { Items.Count: > 0 } seq && seq.Items[0].Contains(probe) ? seq.Items[0] : null;
}
