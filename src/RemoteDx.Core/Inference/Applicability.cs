using RemoteDx.Dicom;

namespace RemoteDx.Core.Inference;

/// <summary>Which images a model applies to (manifest "appliesTo"), judged from the header alone so an image no
/// model wants is never decoded.</summary>
public static class Applicability
{
    public static bool Applies(ManifestApplicability a, Dataset ds)
    {
        return Matches(a.Modalities, ds.GetString(Tag.Modality))
            && Matches(a.BodyParts, ds.GetString(Tag.BodyPartExamined))
            && Matches(a.ViewPositions, ds.GetString(Tag.ViewPosition))
            && Matches(a.SopClasses, ds.GetString(Tag.SOPClassUID))
            && (a.MinRows <= 0 || (ds.GetInt(Tag.Rows) ?? 0) >= a.MinRows)
            && (a.MinColumns <= 0 || (ds.GetInt(Tag.Columns) ?? 0) >= a.MinColumns)
            && ds[Tag.PixelData] is not null;
    }

    private static bool Matches(IReadOnlyList<string> allowed, string? value)
    {
        if (allowed.Count == 0)
        {
            return true;
        }
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v))
        {
            return false;
        }
        foreach (var a in allowed)
        {
            if (string.Equals(a.Trim(), v, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
