// PS3.8 9.1.1 / 9.1.5: the acceptor's budget between the TCP connect and the A-ASSOCIATE-RQ, and for associations
using System.Net;
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>Two budgets of the listener. Connections that have not yet sent an A-ASSOCIATE-RQ (TLS handshake included)
/// are <em>pending</em>: each is closed after <see cref="DicomServerOptions.PendingAssociationTimeout"/>, and when the
/// overall or per-peer cap of pending connections is reached the oldest one (of that peer, else overall) is closed to
/// make room, so idle sockets can never starve a real sender. Only accepted associations count toward
/// <see cref="DicomServerOptions.MaxAssociations"/>.</summary>
internal sealed class ConnectionLimits(DicomServerOptions options, ILogger logger)
{
    private readonly object _gate = new();
    private readonly LinkedList<PendingConnection> _pending = new();
    private int _associations;
    private volatile bool _draining;

    /// <summary>Accepted associations open now.</summary>
    public int Associations => Volatile.Read(ref _associations);

    /// <summary>Connections open now that have not sent an A-ASSOCIATE-RQ.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Registers a new connection as pending; <paramref name="close"/> ends it on timeout or eviction.</summary>
    public PendingConnection Admit(string id, IPEndPoint remote, Action close)
    {
        var peer = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var connection = new PendingConnection(this, id, peer, close);
        var evicted = new List<PendingConnection>(2);
        lock (_gate)
        {
            var samePeer = 0;
            LinkedListNode<PendingConnection>? oldestOfPeer = null;
            for (var node = _pending.First; node is not null; node = node.Next)
            {
                if (node.Value.Peer.Equals(peer))
                {
                    samePeer++;
                    oldestOfPeer ??= node;
                }
            }
            if (samePeer >= options.MaxPendingConnectionsPerPeer && oldestOfPeer is not null)
            {
                evicted.Add(oldestOfPeer.Value);
                RemoveLocked(oldestOfPeer.Value);
            }
            if (_pending.Count >= options.MaxPendingConnections && _pending.First is { } oldest)
            {
                evicted.Add(oldest.Value);
                RemoveLocked(oldest.Value);
            }
            connection.Node = _pending.AddLast(connection);
        }
        foreach (var e in evicted)
        {
            e.Close("pending-connection cap reached, oldest closed");
        }
        connection.StartTimer(options.PendingAssociationTimeout);
        return connection;
    }

    /// <summary>The server is draining (DESIGN.md "Durability modes": SIGTERM drains): from now on no association is
    /// accepted; the ones open may finish.</summary>
    public void StopAccepting() => _draining = true;

    public bool Draining => _draining;

    /// <summary>One more accepted association, unless <see cref="DicomServerOptions.MaxAssociations"/> are open or the
    /// server is draining.</summary>
    public bool TryReserveAssociation()
    {
        if (_draining)
        {
            return false;
        }
        while (true)
        {
            var current = Volatile.Read(ref _associations);
            if (current >= options.MaxAssociations)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _associations, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void ReleaseAssociation() => Interlocked.Decrement(ref _associations);

    internal bool Remove(PendingConnection connection)
    {
        lock (_gate)
        {
            return RemoveLocked(connection);
        }
    }

    private bool RemoveLocked(PendingConnection connection)
    {
        if (connection.Node is not { List: not null } node)
        {
            return false;
        }
        _pending.Remove(node);
        connection.Node = null;
        return true;
    }

    internal ILogger Logger => logger;
}

/// <summary>A connection waiting for its A-ASSOCIATE-RQ; <see cref="Resolved"/> once it arrived or the connection ended.</summary>
internal sealed class PendingConnection(ConnectionLimits limits, string id, IPAddress peer, Action close)
{
    private Timer? _timer;
    private int _closed;

    public IPAddress Peer { get; } = peer;

    internal LinkedListNode<PendingConnection>? Node { get; set; }

    internal void StartTimer(TimeSpan timeout)
    {
        var timer = new Timer(static state => ((PendingConnection)state!).TimedOut(), this, Timeout.Infinite, Timeout.Infinite);
        _timer = timer;
        timer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The A-ASSOCIATE-RQ arrived (or the connection ended): no longer pending, the timer stops.</summary>
    public void Resolved()
    {
        limits.Remove(this);
        _timer?.Dispose();
    }

    private void TimedOut()
    {
        if (limits.Remove(this))
        {
            Close("no A-ASSOCIATE-RQ within the pending-connection timeout");
        }
    }

    internal void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _timer?.Dispose();
        limits.Logger.PendingConnectionClosed(id, Peer.ToString(), reason);
        try
        {
            close();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or System.Net.Sockets.SocketException or IOException)
        {
            // Already gone.
        }
    }
}
