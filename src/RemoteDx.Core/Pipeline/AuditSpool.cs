// PS3.15 A.5 audit trail: association records are never dropped, even while the database is down
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RemoteDx.Core.Store;

namespace RemoteDx.Core.Pipeline;

/// <summary>A small append-only file (<c>&lt;data&gt;/audit-pending/associations.jsonl</c>, one JSON record a line,
/// fsync'd) that holds association audit records the store could not take; <see cref="ReplayAsync"/> writes them once
/// the database is back (the store ignores an id it already has, so a replay cut short is safe to repeat).</summary>
public sealed class AuditSpool
{
    private readonly object _gate = new();
    private readonly string _path;
    private readonly SemaphoreSlim _replay = new(1, 1);

    public AuditSpool(string dataDirectory)
    {
        Directory = Path.Combine(dataDirectory, "audit-pending");
        _path = Path.Combine(Directory, "associations.jsonl");
    }

    public string Directory { get; }

    /// <summary>Records waiting for the store.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return File.Exists(_path) ? File.ReadLines(_path).Count(l => l.Length > 0) : 0;
            }
        }
    }

    /// <summary>Appends one record durably (the file is fsync'd before this returns).</summary>
    public void Append(AssociationAudit audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var line = JsonSerializer.Serialize(audit, AuditSpoolJson.Default.AssociationAudit) + "\n";
        lock (_gate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            file.Write(Encoding.UTF8.GetBytes(line));
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Writes the waiting records to <paramref name="store"/>; returns how many. On a store failure the
    /// records not yet written stay in the file and the exception propagates.</summary>
    public async Task<int> ReplayAsync(IIngestStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await _replay.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            List<string> lines;
            lock (_gate)
            {
                if (!File.Exists(_path))
                {
                    return 0;
                }
                lines = File.ReadAllLines(_path).Where(l => l.Length > 0).ToList();
            }
            var written = 0;
            foreach (var line in lines)
            {
                AssociationAudit? audit;
                try
                {
                    audit = JsonSerializer.Deserialize(line, AuditSpoolJson.Default.AssociationAudit);
                }
                catch (JsonException)
                {
                    // A line torn by a crash mid-append: nothing to replay.
                    audit = null;
                }
                if (audit is not null)
                {
                    await store.RecordAssociationAsync(audit, ct).ConfigureAwait(false);
                }
                written++;
            }
            lock (_gate)
            {
                // Keep what was appended while replaying.
                var now = File.ReadAllLines(_path).Where(l => l.Length > 0).ToList();
                var rest = now.Skip(written).ToList();
                if (rest.Count == 0)
                {
                    File.Delete(_path);
                }
                else
                {
                    var temp = _path + ".tmp";
                    File.WriteAllLines(temp, rest);
                    File.Move(temp, _path, overwrite: true);
                }
            }
            return written;
        }
        finally
        {
            _replay.Release();
        }
    }
}

[JsonSerializable(typeof(AssociationAudit))]
internal sealed partial class AuditSpoolJson : JsonSerializerContext;
