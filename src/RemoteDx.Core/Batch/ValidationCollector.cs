namespace RemoteDx.Core.Batch;

/// <summary>Keeps what validation needs from a batch run: each file's status and, per model and label, its
/// probability (a few bytes per file; the images are long gone).</summary>
public sealed class ValidationCollector : IBatchResultWriter
{
    private readonly Dictionary<string, BatchResult> _outcomes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Model, string Label), Dictionary<string, double>> _scores = [];

    public IReadOnlyDictionary<string, BatchResult> Outcomes => _outcomes;

    public void Write(BatchResult result)
    {
        // Only the status and error are kept; the label scores go to the per-label tables.
        _outcomes[result.Path] = result with { Models = [] };
        foreach (var m in result.Models)
        {
            foreach (var l in m.Labels)
            {
                if (!_scores.TryGetValue((m.Model, l.Label), out var table))
                {
                    _scores[(m.Model, l.Label)] = table = new Dictionary<string, double>(StringComparer.Ordinal);
                }
                table[result.Path] = l.Probability;
            }
        }
    }

    public bool TryGetScores(string model, string label, out IReadOnlyDictionary<string, double> scores)
    {
        var found = _scores.TryGetValue((model, label), out var table);
        scores = table ?? new Dictionary<string, double>();
        return found;
    }

    public void Dispose()
    {
    }
}
