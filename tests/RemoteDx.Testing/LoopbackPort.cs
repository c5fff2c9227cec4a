using System.Net;
using System.Net.Sockets;

namespace RemoteDx.Testing;

public static class LoopbackPort
{
    /// <summary>A loopback port free right now, for peers (Orthanc, storescp, PostgreSQL) that cannot bind port 0 and
    /// report it. Our own servers bind port 0 and are asked.</summary>
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
