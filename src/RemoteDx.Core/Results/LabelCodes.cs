using RemoteDx.Core.Inference;

namespace RemoteDx.Core.Results;

/// <summary>The concept a stored finding (model name, label name) means: the loaded model's manifest code
/// (<see cref="ResultCodes.ForLabel(ManifestLabel)"/>), or the private fallback when the model is not loaded any more.
/// Shared by the SR and the FHIR report, so both code a finding the same way.</summary>
public sealed class LabelCodes(IEnumerable<ModelManifest> manifests)
{
    private readonly Dictionary<string, ModelManifest> _byName = manifests.GroupBy(m => m.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public static LabelCodes None { get; } = new([]);

    public CodedConcept For(string model, string label) =>
        _byName.TryGetValue(model, out var m) && m.Labels.FirstOrDefault(l => l.Name == label) is { } l
            ? ResultCodes.ForLabel(l)
            : ResultCodes.ForLabel(label);
}
