// Issue 14 "Faults without surprises", item 4: the archive and the index agree, and nothing half-written lingers
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteDx.Core.Archive;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;

namespace RemoteDx.Core.Pipeline;

/// <summary>What one reconciliation did. <paramref name="IndexQueries"/>: round trips to the index to find what is
/// missing (one per study folder with files old enough, plus one per file not in its study's set).</summary>
public sealed record ReconcileReport(int Scanned, int Indexed, int Quarantined, int TempRemoved, int Skipped, int IndexQueries = 0,
    TimeSpan Elapsed = default);

/// <summary>At start-up and periodically: every archive file missing from the index is indexed (with its scoring job,
/// claimed for the clinic of its Source AE), or moved to <c>&lt;data&gt;/quarantine/</c> with a <c>.reason</c> file
/// when it cannot be (unreadable, misplaced, or another clinic owns its study); temporary files older than
/// <see cref="MinimumAge"/> (no live association writes to one that long: the DIMSE timeout ends it first) are removed.
/// Only files older than <see cref="MinimumAge"/> are considered, so one being archived right now is left alone.</summary>
public sealed partial class ArchiveReconciler
{
    private readonly DicomArchive _archive;
    private readonly ITriageStore _store;
    private readonly ILogger _log;
    private readonly Func<string, string> _clinicOf;

    /// <param name="clinicOf">The clinic a calling AE sends for (the allow-list's <c>Clinic</c>); default: the AE itself.</param>
    public ArchiveReconciler(DicomArchive archive, ITriageStore store, TimeSpan minimumAge, ILogger? logger = null,
        Func<string, string>? clinicOf = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(store);
        _archive = archive;
        _store = store;
        MinimumAge = minimumAge;
        _log = logger ?? NullLogger.Instance;
        _clinicOf = clinicOf ?? (ae => ae);
        QuarantineDirectory = Path.Combine(archive.DataDirectory, "quarantine");
    }

    public TimeSpan MinimumAge { get; }

    public string QuarantineDirectory { get; }

    public async Task<ReconcileReport> RunAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var cutoff = DateTime.UtcNow - MinimumAge;
        var tempRemoved = RemoveStaleTempFiles(cutoff);
        var pass = new Pass();
        // Archive layout (DESIGN.md): <archive>/<Study>/<Series>/<SOP>.dcm. One index query per study folder gives the
        // SOP Instance UIDs it holds; the folder's listing is compared against that set.
        foreach (var studyDir in Directory.EnumerateDirectories(_archive.ArchiveRoot))
        {
            ct.ThrowIfCancellationRequested();
            var old = new List<string>();
            foreach (var path in Directory.EnumerateFiles(studyDir, "*.dcm", SearchOption.AllDirectories))
            {
                pass.Scanned++;
                if (File.GetLastWriteTimeUtc(path) <= cutoff)
                {
                    old.Add(path);
                }
            }
            if (old.Count == 0)
            {
                continue;
            }
            pass.Queries++;
            var indexed = await _store.IndexedInstancesAsync(Path.GetFileName(studyDir), ct).ConfigureAwait(false);
            foreach (var path in old)
            {
                ct.ThrowIfCancellationRequested();
                if (!indexed.Contains(Path.GetFileNameWithoutExtension(path)))
                {
                    await ReconcileFileAsync(path, pass, ct).ConfigureAwait(false);
                }
            }
        }
        // Files outside any study folder do not follow the layout; each is looked up on its own.
        foreach (var path in Directory.EnumerateFiles(_archive.ArchiveRoot, "*.dcm"))
        {
            ct.ThrowIfCancellationRequested();
            pass.Scanned++;
            if (File.GetLastWriteTimeUtc(path) <= cutoff)
            {
                await ReconcileFileAsync(path, pass, ct).ConfigureAwait(false);
            }
        }
        var report = new ReconcileReport(pass.Scanned, pass.Indexed, pass.Quarantined, tempRemoved, pass.Skipped, pass.Queries,
            System.Diagnostics.Stopwatch.GetElapsedTime(started));
        LogReport(report.Scanned, report.Indexed, report.Quarantined, report.TempRemoved, report.Skipped, report.IndexQueries,
            report.Elapsed.TotalMilliseconds);
        return report;
    }

    private sealed class Pass
    {
        public int Scanned;
        public int Indexed;
        public int Quarantined;
        public int Skipped;
        public int Queries;
    }

    /// <summary>A file its study's set does not hold: indexed under another study (misplaced, left alone as before),
    /// or missing from the index (indexed now, or quarantined with the reason).</summary>
    private async Task ReconcileFileAsync(string path, Pass pass, CancellationToken ct)
    {
        var sop = Path.GetFileNameWithoutExtension(path);
        pass.Queries++;
        if (await _store.InstanceAsync(sop, Scope.All, ct).ConfigureAwait(false) is not null)
        {
            return;
        }
        string? reason;
        try
        {
            reason = await IndexAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomException or IOException or InvalidDataException or EndOfStreamException)
        {
            reason = "unreadable: " + ex.GetType().Name + ": " + ex.Message;
        }
        if (ReferenceEquals(reason, NotReceived))
        {
            pass.Skipped++;
        }
        else if (reason is null)
        {
            pass.Indexed++;
            LogIndexed(sop);
        }
        else
        {
            Quarantine(path, reason);
            pass.Quarantined++;
            LogQuarantined(path, reason);
        }
    }

    private const string NotReceived = "not received";

    /// <summary>Indexes one archived file; returns null, <see cref="NotReceived"/>, or why it could not be indexed.</summary>
    private async Task<string?> IndexAsync(string path, CancellationToken ct)
    {
        var (result, sourceAe) = _archive.Describe(path);
        // Every received file carries the calling AE as Source AE (Part10Header); one without it was not received.
        // Left alone, neither indexed nor quarantined: objects RemoteDx writes itself are indexed by their writer.
        if (string.IsNullOrWhiteSpace(sourceAe))
        {
            return NotReceived;
        }
        var ae = sourceAe.Trim();
        var clinic = _clinicOf(ae);
        var received = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        var decision = await _store.ClaimAsync(new OwnershipClaim(result.StudyInstanceUid, result.SeriesInstanceUid, result.SopInstanceUid,
            clinic, ae, "reconciler", DateTimeOffset.UtcNow), ct).ConfigureAwait(false);
        if (decision != OwnershipDecision.Granted)
        {
            return "not indexed: " + decision.ToString();
        }
        await _store.RecordInstanceAsync(new IngestRecord(result, ae, "reconciler", received, clinic), ct).ConfigureAwait(false);
        return null;
    }

    private void Quarantine(string path, string reason)
    {
        Directory.CreateDirectory(QuarantineDirectory);
        var name = Path.GetFileNameWithoutExtension(path) + "-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var target = Path.Combine(QuarantineDirectory, name + ".dcm");
        File.WriteAllText(Path.Combine(QuarantineDirectory, name + ".reason"),
            $"{DateTimeOffset.UtcNow:O}\n{Path.GetRelativePath(_archive.DataDirectory, path)}\n{reason}\n");
        File.Move(path, target, overwrite: false);
    }

    private int RemoveStaleTempFiles(DateTime cutoff)
    {
        var removed = 0;
        foreach (var temp in Directory.EnumerateFiles(_archive.TempDirectory))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(temp) < cutoff)
                {
                    File.Delete(temp);
                    removed++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }

    [LoggerMessage(EventId = 1130, Level = LogLevel.Information, Message = "reconciler: {Scanned} archive files, {Indexed} indexed, {Quarantined} quarantined, {TempRemoved} stale temp files removed, {Skipped} not received (no Source AE) left alone; {IndexQueries} index queries, {Milliseconds:0} ms")]
    private partial void LogReport(int scanned, int indexed, int quarantined, int tempRemoved, int skipped, int indexQueries, double milliseconds);

    [LoggerMessage(EventId = 1131, Level = LogLevel.Warning, Message = "reconciler: archive file missing from the index indexed: {SopInstanceUid}")]
    private partial void LogIndexed(string sopInstanceUid);

    [LoggerMessage(EventId = 1132, Level = LogLevel.Warning, Message = "reconciler: {Path} moved to quarantine: {Reason}")]
    private partial void LogQuarantined(string path, string reason);
}
