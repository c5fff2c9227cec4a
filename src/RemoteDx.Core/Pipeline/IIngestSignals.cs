// DESIGN.md flow: ingest → index + job queue → scoring worker; what the ingest use case tells the rest of the process
namespace RemoteDx.Core.Pipeline;

/// <summary>What <see cref="IngestService"/> tells its host: a job was committed (wake an idle scoring worker rather than
/// wait for its next poll), and which C-STORE responses an association sent (metrics).</summary>
public interface IIngestSignals
{
    /// <summary>An instance and its scoring job are committed to the store.</summary>
    void JobQueued();

    /// <summary>An association ended having sent <paramref name="count"/> responses with DIMSE status
    /// <paramref name="status"/>.</summary>
    void ResponsesSent(ushort status, int count);
}
