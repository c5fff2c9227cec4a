using System.Data.Common;
using System.Globalization;

namespace RemoteDx.Core.Store;

public abstract partial class SqlTriageStore
{
    private const string UserColumns = "username, password_hash, role, clinics, failed_logins, locked_until, created_at";

    private static UserRecord ReadUser(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), SplitClinics(Str(r, 3)), Int(r, 4), NTime(r, 5), TimeAt(r, 6));

    public Task<bool> AddUserAsync(UserRecord user, CancellationToken ct = default)
    {
        if (!Roles.IsValid(user.Role))
        {
            throw new ArgumentException($"role must be admin, radiologist or clinic, not '{user.Role}'", nameof(user));
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
                await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'user.added', NULL, @u, @role)",
                    ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@u", user.Username), ("@role", user.Role)).ConfigureAwait(false);
            }
            return n == 1;
        }, ct);
    }

    public Task<UserRecord?> UserAsync(string username, CancellationToken ct = default) => ReadAsync(async conn =>
        (await QueryAsync(conn, null, $"SELECT {UserColumns} FROM users WHERE username = @u", ReadUser, ct, ("@u", username)).ConfigureAwait(false))
            .FirstOrDefault(), ct);

    public Task<IReadOnlyList<UserRecord>> UsersAsync(CancellationToken ct = default) => ReadAsync<IReadOnlyList<UserRecord>>(async conn =>
        await QueryAsync(conn, null, $"SELECT {UserColumns} FROM users ORDER BY username", ReadUser, ct).ConfigureAwait(false), ct);

    public Task<bool> SetPasswordAsync(string username, string passwordHash, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
    {
        var n = await ExecAsync(conn, tx, "UPDATE users SET password_hash = @h, failed_logins = 0, locked_until = NULL WHERE username = @u", ct,
            ("@h", passwordHash), ("@u", username)).ConfigureAwait(false);
        if (n == 1)
        {
            // A new password ends every session opened with the old one.
            await ExecAsync(conn, tx, "DELETE FROM sessions WHERE username = @u", ct, ("@u", username)).ConfigureAwait(false);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'user.password', NULL, @u, NULL)",
                ct, ("@now", Time(DateTimeOffset.UtcNow)), ("@u", username)).ConfigureAwait(false);
        }
        return n == 1;
    }, ct);

    public Task<DateTimeOffset?> RecordLoginFailureAsync(string username, DateTimeOffset now, int threshold, TimeSpan lockout, CancellationToken ct = default) =>
        WriteAsync<DateTimeOffset?>(async (conn, tx) =>
        {
            var count = await ScalarAsync(conn, tx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = @u RETURNING failed_logins",
                ct, ("@u", username)).ConfigureAwait(false);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'login.failed', @u, @u, NULL)",
                ct, ("@now", Time(now)), ("@u", username)).ConfigureAwait(false);
            if (count is null || Convert.ToInt32(count, CultureInfo.InvariantCulture) < threshold)
            {
                return null;
            }
            var until = now + lockout;
            await ExecAsync(conn, tx, "UPDATE users SET failed_logins = 0, locked_until = @until WHERE username = @u", ct,
                ("@until", Time(until)), ("@u", username)).ConfigureAwait(false);
            await ExecAsync(conn, tx, "INSERT INTO audit_events (at, kind, actor, subject, detail) VALUES (@now, 'user.locked', NULL, @u, NULL)",
                ct, ("@now", Time(now)), ("@u", username)).ConfigureAwait(false);
            return until;
        }, ct);

    public Task ResetLoginFailuresAsync(string username, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = @u", ct, ("@u", username)).ConfigureAwait(false), ct);

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
            FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = @h AND s.expires_at > @now
            """, r => new SessionRecord(r.GetString(0), r.GetString(1), r.GetString(2), SplitClinics(Str(r, 3)), r.GetString(4), TimeAt(r, 5),
                TimeAt(r, 6)), ct, ("@h", tokenHash), ("@now", Time(now))).ConfigureAwait(false)).FirstOrDefault(), ct);

    public Task DeleteSessionAsync(string tokenHash, CancellationToken ct = default) => WriteAsync(async (conn, tx) =>
        await ExecAsync(conn, tx, "DELETE FROM sessions WHERE token_hash = @h", ct, ("@h", tokenHash)).ConfigureAwait(false), ct);
}
