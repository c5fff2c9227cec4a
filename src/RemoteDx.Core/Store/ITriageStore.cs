using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;

namespace RemoteDx.Core.Store;

/// <summary>Everything `remotedx serve` keeps: the ingest index and job queue (<see cref="IIngestStore"/>), findings,
/// ranking, reviews, users, sessions, audit and the notification outbox. Implemented on SQLite and PostgreSQL by the
/// same SQL (<see cref="SqlTriageStore"/>).</summary>
public interface ITriageStore : IIngestStore
{
    /// <summary>"sqlite" or "postgresql".</summary>
    string Provider { get; }

    /// <summary>True when several processes may share this store (PostgreSQL): a running job is then only taken over
    /// after its lease expires. False (SQLite): the process owns the file, so jobs left running by a dead process are
    /// requeued at start-up.</summary>
    bool SharedAcrossProcesses { get; }

    // ---- jobs

    /// <summary>Puts every running job back to pending (start-up of a store that only one process uses).</summary>
    Task<int> RequeueRunningJobsAsync(CancellationToken ct = default);

    /// <summary>Claims up to <paramref name="max"/> due jobs (pending and due, or running with an expired lease) for
    /// <paramref name="worker"/>, counting an attempt each. Jobs whose lease expired after their last allowed attempt
    /// are failed instead.</summary>
    Task<IReadOnlyList<ClaimedJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, int maxAttempts, CancellationToken ct = default);

    /// <summary>Writes the scores (findings, or "not applicable"), heatmaps and the job's completion in one
    /// transaction and re-ranks the study. False when the job is no longer this worker's (lease lost): nothing
    /// written.</summary>
    Task<bool> CompleteJobAsync(ClaimedJob job, ImageScore score, IReadOnlyList<HeatmapImage> heatmaps, CancellationToken ct = default);

    /// <summary>Records a failed attempt: back to pending until <paramref name="retryAt"/>, or failed for good after
    /// <paramref name="maxAttempts"/>. Null when the job is no longer this worker's.</summary>
    Task<JobFailure?> FailJobAsync(ClaimedJob job, string error, int maxAttempts, DateTimeOffset retryAt, CancellationToken ct = default);

    /// <summary>Gives the job back without counting the attempt (the fault was not the image's, e.g. no model could be
    /// loaded): pending again from <paramref name="retryAt"/>, <paramref name="reason"/> shown as its error. False when
    /// the job is no longer this worker's.</summary>
    Task<bool> DeferJobAsync(ClaimedJob job, string reason, DateTimeOffset retryAt, CancellationToken ct = default);

    Task<IReadOnlyList<JobInfo>> JobsAsync(string? state, int limit, CancellationToken ct = default);

    Task<IReadOnlyDictionary<string, long>> JobCountsAsync(CancellationToken ct = default);

    // ---- worklist and studies

    /// <summary>Increases whenever anything on the worklist changes.</summary>
    Task<long> WorklistVersionAsync(CancellationToken ct = default);

    Task BumpWorklistVersionAsync(CancellationToken ct = default);

    Task<WorklistPage> WorklistAsync(WorklistQuery query, CancellationToken ct = default);

    Task<StudyDetail?> StudyAsync(string studyInstanceUid, Scope scope, CancellationToken ct = default);

    /// <summary>How many studies are complete by <paramref name="quiet"/> at <paramref name="now"/>.</summary>
    Task<long> CountCompleteStudiesAsync(QuietPeriod quiet, DateTimeOffset now, CancellationToken ct = default);

    Task<InstanceLocation?> InstanceAsync(string sopInstanceUid, Scope scope, CancellationToken ct = default);

    /// <summary>Every SOP Instance UID the index holds for the study, in one query (the reconciler compares a study
    /// folder's listing against it instead of asking once per file).</summary>
    Task<IReadOnlySet<string>> IndexedInstancesAsync(string studyInstanceUid, CancellationToken ct = default);

    Task<byte[]?> HeatmapAsync(string sopInstanceUid, string model, string label, CancellationToken ct = default);

    Task<FindingDetail?> FindingAsync(long id, CancellationToken ct = default);

    // ---- review

    /// <summary>Confirms, dismisses or clears (<see cref="Decision"/>) a label for the whole study: every image's finding
    /// of that model and label at once, audited. Confirm/dismiss only where one of them is positive.</summary>
    Task<ReviewResult> ReviewFindingAsync(long findingId, string decision, string by, CancellationToken ct = default);

    Task<CommentInfo?> AddCommentAsync(string studyInstanceUid, string by, string text, CancellationToken ct = default);

    /// <summary>Marks the study reviewed; returns the next unreviewed study in rank order within <paramref name="scope"/>,
    /// or null. False in <c>Found</c> when the study does not exist.</summary>
    Task<(bool Found, string? Next)> MarkReviewedAsync(string studyInstanceUid, string by, Scope scope, CancellationToken ct = default);

    /// <summary>Per study: the latest decision per (model, label) and the number of clinical notes.</summary>
    Task<IReadOnlyDictionary<string, StudyAnnotations>> StudyAnnotationsAsync(IReadOnlyList<string> studies, CancellationToken ct = default);

    // ---- clinic notes and settings

    /// <summary>Adds clinical history and/or a question to a study in <paramref name="scope"/>, audited; null when the
    /// study does not exist there.</summary>
    Task<ClinicalNote?> AddClinicalNoteAsync(string studyInstanceUid, Scope scope, string by, string? history, string? question,
        CancellationToken ct = default);

    /// <summary>The study's clinical notes, oldest first.</summary>
    Task<IReadOnlyList<ClinicalNote>> ClinicalNotesAsync(string studyInstanceUid, CancellationToken ct = default);

    /// <summary>The clinic's settings (defaults when none were saved).</summary>
    Task<ClinicSettings> ClinicSettingsAsync(string clinic, CancellationToken ct = default);

    /// <summary>Every clinic whose settings were saved.</summary>
    Task<IReadOnlyList<ClinicSettings>> AllClinicSettingsAsync(CancellationToken ct = default);

    /// <summary>Every clinic known — owners of studies, clinics named in users' clinic lists, clinics with saved settings —
    /// ordinally by name, each with its settings (defaults when none were saved) and its number of studies.</summary>
    Task<IReadOnlyList<ClinicOverview>> ClinicsAsync(CancellationToken ct = default);

    /// <summary>Saves the clinic's settings, audited (`clinic.settings`).</summary>
    Task<ClinicSettings> SetClinicSettingsAsync(string clinic, bool showModelOutput, string by, CancellationToken ct = default);

    // ---- audit

    Task AuditAsync(string kind, string? actor, string? subject, string? detail, CancellationToken ct = default);

    Task<(IReadOnlyList<AuditEvent> Items, long Total)> AuditQueryAsync(string? study, int page, int pageSize, CancellationToken ct = default);

    // ---- users and sessions

    /// <summary>False when the user exists.</summary>
    Task<bool> AddUserAsync(UserRecord user, CancellationToken ct = default);

    /// <summary>As <see cref="AddUserAsync(UserRecord, CancellationToken)"/>, audited with <paramref name="actor"/> (the admin).</summary>
    Task<bool> AddUserAsync(UserRecord user, string? actor, CancellationToken ct = default);

    Task<UserRecord?> UserAsync(string username, CancellationToken ct = default);

    Task<IReadOnlyList<UserRecord>> UsersAsync(CancellationToken ct = default);

    Task<bool> SetPasswordAsync(string username, string passwordHash, CancellationToken ct = default);

    /// <summary>A new password set by <paramref name="actor"/> (an admin): ends the user's sessions and lock, audited.</summary>
    Task<bool> SetPasswordAsync(string username, string passwordHash, string? actor, CancellationToken ct = default);

    /// <summary>Reserves one password verification for <paramref name="name"/>, before the password is checked and
    /// atomically with every concurrent attempt (in any process sharing the store): names with no user are counted the
    /// same way. Refused while the name is locked. The attempt that makes <paramref name="threshold"/> since the last
    /// success locks the name until <paramref name="now"/> + <paramref name="lockout"/> (returned with the grant), so at
    /// most <paramref name="threshold"/> verifications run per lock window. Attempts older than one window are forgotten.</summary>
    Task<LoginAttempt> BeginLoginAttemptAsync(string name, DateTimeOffset now, int threshold, TimeSpan lockout, CancellationToken ct = default);

    /// <summary>Audits a verification that failed (`login.failed`); the attempt was already counted.</summary>
    Task LoginFailedAsync(string name, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>After a successful login: forgets the name's attempts and lifts its lock.</summary>
    Task ResetLoginFailuresAsync(string name, CancellationToken ct = default);

    Task CreateSessionAsync(SessionRecord session, CancellationToken ct = default);

    /// <summary>The session if it exists and has not expired at <paramref name="now"/>.</summary>
    Task<SessionRecord?> SessionAsync(string tokenHash, DateTimeOffset now, CancellationToken ct = default);

    Task DeleteSessionAsync(string tokenHash, CancellationToken ct = default);

    // ---- admin (issue 18 item 7)

    /// <summary>Changes an account's role, clinics or disabled flag, audited with <paramref name="actor"/>; refused when
    /// no enabled admin would be left, or when role and clinics do not fit. Disabling (or a new role) ends its sessions.</summary>
    Task<UserChange> UpdateUserAsync(string username, UserUpdate update, string actor, CancellationToken ct = default);

    /// <summary>The audit trail filtered by <paramref name="query"/>, newest first, with the filtered total.</summary>
    Task<(IReadOnlyList<AuditEvent> Items, long Total)> AuditQueryAsync(AuditQuery query, CancellationToken ct = default);

    /// <summary>Puts a failed job (its instance's latest) back in the queue with a fresh set of attempts; audited.</summary>
    Task<RetryOutcome> RetryJobAsync(long jobId, string actor, CancellationToken ct = default);

    /// <summary>Result deliveries across studies, newest first: pending, sending and failed ones, or those in <paramref name="state"/>.</summary>
    Task<IReadOnlyList<DeliveryRow>> DeliveryQueueAsync(string? state, int limit, CancellationToken ct = default);

    /// <summary>A failed delivery (fresh attempts) or a pending one waiting out its backoff is due now; audited.</summary>
    Task<RetryOutcome> RetryDeliveryAsync(long deliveryId, string actor, CancellationToken ct = default);

    // ---- results (SR, heatmaps) and their delivery

    /// <summary>Studies whose results are due, at most <paramref name="max"/>: the AI report when a study was scored
    /// since its last report, nothing of it is pending or running, and it is complete by <paramref name="quiet"/>; the
    /// verified report when it was reviewed since its last one and its AI report is current.</summary>
    Task<IReadOnlyList<ResultsDue>> ResultsDueAsync(QuietPeriod quiet, DateTimeOffset now, int max, CancellationToken ct = default);

    /// <summary>The study as the results writer needs it; null when it does not exist.</summary>
    Task<ResultContext?> ResultContextAsync(string studyInstanceUid, CancellationToken ct = default);

    /// <summary>Indexes archived result objects under their study (no job, no ownership claim), marks <paramref name="due"/>
    /// done, and queues one delivery per object and destination, in one transaction. False (nothing written) when the
    /// study moved on since <paramref name="due"/> was read (scored or reviewed again).</summary>
    Task<bool> RecordResultsAsync(ResultsDue due, IReadOnlyList<ResultObject> objects, IReadOnlyList<string> destinations, CancellationToken ct = default);

    /// <summary>Claims up to <paramref name="max"/> due deliveries for <paramref name="destination"/>.</summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDeliveriesAsync(string destination, string worker, int max, TimeSpan lease, CancellationToken ct = default);

    Task DeliverySentAsync(long id, CancellationToken ct = default);

    /// <summary>Back to pending until <paramref name="retryAt"/>, or failed for good after <paramref name="maxAttempts"/>.</summary>
    Task<DeliveryFailure> DeliveryFailedAsync(long id, string error, int maxAttempts, DateTimeOffset retryAt, CancellationToken ct = default);

    Task<IReadOnlyList<DeliveryInfo>> DeliveriesAsync(string studyInstanceUid, CancellationToken ct = default);

    // ---- notification outbox

    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(string worker, int max, TimeSpan lease, CancellationToken ct = default);

    Task OutboxSentAsync(long id, CancellationToken ct = default);

    Task OutboxFailedAsync(long id, string error, int maxAttempts, DateTimeOffset retryAt, CancellationToken ct = default);
}
