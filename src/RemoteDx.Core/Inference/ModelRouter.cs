using RemoteDx.Dicom;

namespace RemoteDx.Core.Inference;

/// <summary>Routes an image to the models that apply to it (<see cref="Applicability"/>), once for the server's registry
/// and for batch scoring: the header decides, so an image no model wants is never decoded; otherwise it is decoded once
/// and queued to each applicable model.</summary>
public static class ModelRouter
{
    /// <summary>The models of <paramref name="models"/> that apply to <paramref name="ds"/>, in their order.</summary>
    public static IReadOnlyList<LoadedModel> Route(IReadOnlyList<LoadedModel> models, Dataset ds)
    {
        List<LoadedModel>? applicable = null;
        foreach (var m in models)
        {
            if (Applicability.Applies(m.Manifest.AppliesTo, ds))
            {
                (applicable ??= []).Add(m);
            }
        }
        return applicable ?? (IReadOnlyList<LoadedModel>)[];
    }

    /// <summary>Decodes the first frame of <paramref name="file"/> and queues it to every model that applies; returns one
    /// task per such model (none: no model applies, "not applicable"). Returns once the image is preprocessed for and
    /// queued to each model, so the decoded image is released before the scores are awaited.</summary>
    public static Task<ModelScore>[] Dispatch(IReadOnlyList<LoadedModel> models, DicomFile file, CancellationToken ct)
    {
        var applicable = Route(models, file.Dataset);
        if (applicable.Count == 0)
        {
            return [];
        }
        var (center, width) = ModalityImage.FileWindow(file.Dataset);
        var histogram = false;
        foreach (var m in applicable)
        {
            histogram |= m.Preprocessor.NeedsHistogram(center, width);
        }
        using var image = ModalityImage.FromFile(file, histogram);
        var tasks = new Task<ModelScore>[applicable.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            // Runs preprocessing synchronously and returns once the image is queued for a batch.
            tasks[i] = applicable[i].ScoreAsync(image, ct);
        }
        return tasks;
    }
}
