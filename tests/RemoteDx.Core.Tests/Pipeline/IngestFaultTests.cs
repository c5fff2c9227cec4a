using System.Net;
using Microsoft.Data.Sqlite;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Tests.Pipeline;

/// <summary>Issue 14: an unavailable database is "out of resources" (A700, retried by senders), never 0110; a bug stays
/// 0110; association audit records survive a store that cannot take them.</summary>
public sealed class IngestFaultTests
{
    [Theory]
    [InlineData(13)] // SQLITE_FULL
    [InlineData(10)] // SQLITE_IOERR
    [InlineData(5)]  // SQLITE_BUSY
    public async Task An_unavailable_SQLite_database_answers_A700_with_database_unavailable_not_0110(int sqliteCode)
    {
        await using var h = await IngestHarness.StartAsync();
        h.Store.CommitFailure = new SqliteException("injected", sqliteCode);
        var status = await h.SendAsync(IngestHarness.Instance());
        Assert.Equal(0xA700, status.Code);
        Assert.Contains("database unavailable", status.ErrorComment ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_error_that_is_not_an_outage_stays_0110()
    {
        await using var h = await IngestHarness.StartAsync();
        h.Store.CommitFailure = new SqliteException("constraint", 19); // SQLITE_CONSTRAINT: a bug, not a resource
        Assert.Equal(0x0110, (await h.SendAsync(IngestHarness.Instance())).Code);
    }

    [Fact]
    public void StoreFaults_tells_outages_from_bugs()
    {
        Assert.True(StoreFaults.IsUnavailable(new SqliteException("full", 13)));
        Assert.True(StoreFaults.IsUnavailable(new SqliteException("ioerr_write", 10 | (3 << 8)))); // extended code
        Assert.True(StoreFaults.IsUnavailable(new Npgsql.NpgsqlException("connection refused")));
        Assert.True(StoreFaults.IsUnavailable(new InvalidOperationException("wrapped", new System.Net.Sockets.SocketException(111))));
        Assert.False(StoreFaults.IsUnavailable(new SqliteException("constraint", 19)));
        Assert.False(StoreFaults.IsUnavailable(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task Association_audit_records_the_store_refuses_wait_in_audit_pending_and_are_written_when_it_returns()
    {
        await using var h = await IngestHarness.StartAsync();
        var spool = new AuditSpool(Path.Combine(h.Root, "data"));
        var ingest = new IngestService(h.Archive, h.Store, h.Signals, auditSpool: spool);
        h.Store.AuditFailure = new SqliteException("full", 13);
        for (var i = 0; i < 3; i++)
        {
            var info = new AssociationInfo("outage" + i, "CLINIC_A", "REMOTEDX", new IPEndPoint(IPAddress.Loopback, 104), false, DateTimeOffset.UtcNow);
            ingest.AssociationEnded(new AssociationRecord(info, 1, 100, new Dictionary<ushort, int> { [0xA700] = 1 }, TimeSpan.FromSeconds(1), "released"));
        }
        await ingest.FlushAuditsAsync();
        Assert.Equal(3, spool.Count);
        Assert.DoesNotContain(h.Log.Snapshot(), e => e.StartsWith("audit ", StringComparison.Ordinal));

        // Still down: a replay fails and keeps every record.
        await Assert.ThrowsAsync<SqliteException>(() => spool.ReplayAsync(h.Store));
        Assert.Equal(3, spool.Count);

        h.Store.AuditFailure = null;
        Assert.Equal(3, await spool.ReplayAsync(h.Store));
        Assert.Equal(0, spool.Count);
        Assert.Equal(3, h.Log.Snapshot().Count(e => e == "audit CLINIC_A released 1 A700:1"));
        // A second replay (or one repeated after a crash) writes nothing twice.
        Assert.Equal(0, await spool.ReplayAsync(h.Store));
    }
}
