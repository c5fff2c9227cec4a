using System.Diagnostics;

namespace RemoteDx.Dicom.Network;

/// <summary>Optional per-association bounds against a peer that keeps an association alive by trickling data: each PDU
/// arrives within the DIMSE timeout, so no timer of PS3.8 ever fires. A total duration, and a minimum average rate
/// measured from the first PDV over the time spent inside DIMSE messages (waiting between messages is the idle
/// timeout's business, so a sender that keeps its association open between studies is not penalised).</summary>
internal sealed class AssociationLimits
{
    /// <summary>The rate is judged only after this much message time, so the first PDV's burst or a short message
    /// cannot decide it.</summary>
    internal static readonly TimeSpan RateGrace = TimeSpan.FromSeconds(1);

    private readonly TimeSpan? _maxDuration;
    private readonly long? _minBytesPerSecond;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _waitStarted;
    private bool _waitInMessage;
    private TimeSpan _messageTime;
    private long _bytes;
    private bool _sawPdv;

    public AssociationLimits(TimeSpan? maxDuration, long? minBytesPerSecond)
    {
        _maxDuration = maxDuration;
        _minBytesPerSecond = minBytesPerSecond;
    }

    /// <summary>Bounds the next receive wait so that the duration limit fires on time even while the peer is silent;
    /// call before each receive.</summary>
    public TimeSpan BeginWait(TimeSpan timeout, bool inMessage)
    {
        _waitStarted = Stopwatch.GetTimestamp();
        _waitInMessage = inMessage;
        if (_maxDuration is not { } max)
        {
            return timeout;
        }
        var left = max - Stopwatch.GetElapsedTime(_started);
        return left < timeout ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : timeout;
    }

    /// <summary>The limit the association has broken, or null; <paramref name="pdvBytes"/> are the bytes of the PDVs
    /// that just arrived (0 for other PDUs).</summary>
    public string? Exceeded(long pdvBytes)
    {
        if (_maxDuration is { } max && Stopwatch.GetElapsedTime(_started) >= max)
        {
            return $"association open longer than MaxAssociationSeconds ({max.TotalSeconds:0.#} s)";
        }
        if (_minBytesPerSecond is not { } min)
        {
            return null;
        }
        if (_sawPdv && _waitInMessage)
        {
            _messageTime += Stopwatch.GetElapsedTime(_waitStarted);
            _bytes += pdvBytes;
        }
        // The clock starts at the first PDV: the bytes it carried are not counted.
        _sawPdv |= pdvBytes > 0;
        if (_messageTime >= RateGrace && _bytes < min * _messageTime.TotalSeconds)
        {
            return $"{_bytes / _messageTime.TotalSeconds:0} bytes/s over {_messageTime.TotalSeconds:0.#} s of DIMSE messages is below MinBytesPerSecond ({min})";
        }
        return null;
    }

    /// <summary>True when the duration limit is what ended the last wait (a receive timeout at the deadline).</summary>
    public bool DurationReached => _maxDuration is { } max && Stopwatch.GetElapsedTime(_started) >= max;
}
