namespace RemoteDx.Hosting;

/// <summary>What `/healthz` and the DICOM listener's admission see: the health monitor's last finding (the store or the
/// archive volume unavailable) and whether the process is draining for shutdown. Either one rejects new associations
/// (transient) and answers 503.</summary>
public sealed class HealthState
{
    private volatile string? _problem;
    private volatile bool _draining;

    /// <summary>Why the process cannot take instances now; null when it can.</summary>
    public string? Problem => _problem;

    public bool Draining => _draining;

    public bool AcceptingAssociations => _problem is null && !_draining;

    public void Report(string? problem) => _problem = problem;

    public void MarkDraining() => _draining = true;
}
