// PS3.8 9.1.5 ARTIM (Association Request/Reject/Release Timer)
namespace RemoteDx.Dicom.Network;

/// <summary>The ARTIM timer: started when the transport opens (Sta2) or when waiting for the peer to close
/// (Sta13), stopped when the A-ASSOCIATE-RQ arrives. Expiry cancels <see cref="Token"/>.</summary>
internal sealed class Artim(TimeSpan timeout) : IDisposable
{
    private CancellationTokenSource? _cts;

    public TimeSpan Timeout { get; } = timeout;

    public bool IsRunning => _cts is not null;

    public bool Expired => _cts?.IsCancellationRequested ?? false;

    public CancellationToken Token => _cts?.Token ?? CancellationToken.None;

    public void Start()
    {
        Stop();
        _cts = new CancellationTokenSource(Timeout);
    }

    public void Stop()
    {
        _cts?.Dispose();
        _cts = null;
    }

    public void Dispose() => Stop();
}
