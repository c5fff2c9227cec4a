using System.Data.Common;
using System.Globalization;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    // A user's failures and lock come from login_attempts, where names are counted whether or not a user has them.
    private const string UserSelect = """
        SELECT u.username, u.password_hash, u.role, u.clinics, COALESCE(a.failures, 0), a.locked_until, u.created_at, u.disabled
        FROM users u LEFT JOIN login_attempts a ON a.name = u.username
        """;

    private static UserRecord ReadUser(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), SplitClinics(Str(r, 3)), Int(r, 4), NTime(r, 5), TimeAt(r, 6)) { Disabled = Bool(r, 7) };

    public Task<bool> AddUserAsync(UserRecord user, CancellationToken ct = default) => AddUserAsync(user, null, ct);

    public Task<bool> AddUserAsync(UserRecord user, string? actor, CancellationToken ct = default)
    {
        if (AccountRules.RoleClinicsError(user.Role, [.. user.Clinics]) is { } error)
        {
            throw new ArgumentException(error, nameof(user));
        }
        return WriteAsync(async (conn, tx) =>
        {
            var n = await ExecAsync(conn, tx, """
                INSERT INTO users (username, password_hash, role, clinics, failed_logins, created_at) VALUES (@u, @h, @role, @clinics, 0, @now)
                ON CONFLICT (username) DO NOTHING
                """, ct, ("@u", user.Username), ("@h", user.PasswordHash), ("@role", user.Role), ("@clinics", JoinClinics(user.Clinics)),
                ("@now", Time(user.CreatedAt))).ConfigureAwait(false);
            if (n == 1)
            {
                await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'user.added', @actor, @u, @role)",
                    ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@actor", actor), ("@u", user.Username), ("@role", user.Role)).ConfigureAwait(false);
            }
            return n == 1;
        }, ct);
    }

    public Task<UserRecord?> UserAsync(string username, CancellationToken ct = default) => ReadAsync(async conn =>
        (await QueryAsync(conn, null, $"{UserSelect} WHERE u.username = @u", ReadUser, ct, ("@u", username)).ConfigureAwait(false))
            .FirstOrDefault(), ct);

    public Task<IReadOnlyList<UserRecord>> UsersAsync(CancellationToken ct = default) => ReadAsync<IReadOnlyList<UserRecord>>(async conn =>
        await QueryAsync(conn, null, $"{UserSelect} ORDER BY u.username", ReadUser, ct).ConfigureAwait(false), ct);

    public Task<bool> SetPasswordAsync(string username, string passwordHash, CancellationToken ct = default) =>
        SetPasswordAsync(username, passwordHash, null, ct);

    public Task<bool> SetPasswordAsync(string username, string passwordHash, string? actor, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        var n = await ExecAsync(conn, tx, "UPDATE users SET password_hash = @h, failed_logins = 0, locked_until = NULL WHERE username = @u", ct,
            ("@h", passwordHash), ("@u", username)).ConfigureAwait(false);
        if (n == 1)
        {
            // A new password ends every session opened with the old one, and any lock.
            await ExecAsync(conn, tx, "DELETE FROM sessions WHERE username = @u", ct, ("@u", username)).ConfigureAwait(false);
            await ExecAsync(conn, tx, "DELETE FROM login_attempts WHERE name = @u", ct, ("@u", username)).ConfigureAwait(false);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'user.password', @actor, @u, NULL)",
                ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@actor", actor), ("@u", username)).ConfigureAwait(false);
        }
        return n == 1;
    }, ct);

    public Task<LoginAttempt> BeginLoginAttemptAsync(string name, DateTimeOffset now, int threshold, TimeSpan lockout, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            // Failures older than one lock window, and locks that ended before it, are forgotten (this also bounds the
            // rows that unknown names leave behind).
            await ExecAsync(conn, tx, "DELETE FROM login_attempts WHERE updated_at < @cutoff AND (locked_until IS NULL OR locked_until < @now)",
                ct, ("@cutoff", Time(now - lockout)), ("@now", Time(now))).ConfigureAwait(false);
            // The upsert takes the row (PostgreSQL: its row lock until commit; SQLite: the single writer) before the count
            // is read, so concurrent attempts on one name are counted one after another, across processes too.
            var (failures, locked) = (await QueryAsync(conn, tx, """
                INSERT INTO login_attempts (name, failures, locked_until, updated_at) VALUES (@n, 0, NULL, @now)
                ON CONFLICT (name) DO UPDATE SET updated_at = @now
                RETURNING failures, locked_until
                """, r => (Int(r, 0), NTime(r, 1)), ct, ("@n", name), ("@now", Time(now))).ConfigureAwait(false))[0];
            if (locked is { } l && l > now)
            {
                return new LoginAttempt(false, l);
            }
            // A lock that has run out starts a new window.
            var count = (locked is null ? failures : 0) + 1;
            DateTimeOffset? until = count >= threshold ? now + lockout : null;
            await ExecAsync(conn, tx, "UPDATE login_attempts SET failures = @f, locked_until = @until WHERE name = @n", ct,
                ("@f", count), ("@until", until is { } u ? Time(u) : null), ("@n", name)).ConfigureAwait(false);
            if (until is not null)
            {
                await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'user.locked', NULL, @n, NULL)",
                    ct, ("@now", Time(now)), ("@n", name)).ConfigureAwait(false);
            }
            return new LoginAttempt(true, until);
        }, ct);

    public Task LoginFailedAsync(string name, DateTimeOffset now, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'login.failed', @n, @n, NULL)",
            ct, ("@now", Time(now)), ("@n", name)).ConfigureAwait(false), ct);

    public Task ResetLoginFailuresAsync(string name, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, "DELETE FROM login_attempts WHERE name = @n", ct, ("@n", name)).ConfigureAwait(false), ct);

    public Task CreateSessionAsync(SessionRecord session, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        await ExecAsync(conn, tx, "DELETE FROM sessions WHERE expires_at < @now", ct, ("@now", Time(session.CreatedAt))).ConfigureAwait(false);
        return await ExecAsync(conn, tx, """
            INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES (@h, @u, @csrf, @created, @expires)
            """, ct, ("@h", session.TokenHash), ("@u", session.Username), ("@csrf", session.CsrfToken), ("@created", Time(session.CreatedAt)),
            ("@expires", Time(session.ExpiresAt))).ConfigureAwait(false);
    }, ct);

    public Task<SessionRecord?> SessionAsync(string tokenHash, DateTimeOffset now, CancellationToken ct = default) => ReadAsync(async conn =>
        (await QueryAsync(conn, null, """
            SELECT s.token_hash, s.username, u.role, u.clinics, s.csrf_token, s.created_at, s.expires_at
            FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = @h AND s.expires_at > @now AND NOT u.disabled
            """, r => new SessionRecord(r.GetString(0), r.GetString(1), r.GetString(2), SplitClinics(Str(r, 3)), r.GetString(4), TimeAt(r, 5),
                TimeAt(r, 6)), ct, ("@h", tokenHash), ("@now", Time(now))).ConfigureAwait(false)).FirstOrDefault(), ct);

    public Task DeleteSessionAsync(string tokenHash, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, "DELETE FROM sessions WHERE token_hash = @h", ct, ("@h", tokenHash)).ConfigureAwait(false), ct);
}
