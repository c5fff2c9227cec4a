namespace RemoteDx.Core.Store;

/// <summary>What an account may be called and which clinics it may name: one home for the rules the CLI (`users add`)
/// and the admin API both apply.</summary>
public static class AccountRules
{
    public const int MaxClinicLength = 64;

    /// <summary>1-64 letters, digits, . _ - @ (a name that is safe in a log line, a URL path and an audit row).</summary>
    public static bool IsValidUsername(string s) =>
        s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@');

    /// <summary>A clinic as the allow-list's <c>Clinic</c> names it (e.g. "North Valley Imaging Centre"), or a calling AE
    /// title: 1-64 characters, no control character and no backslash (the store's separator), not blank, no leading or
    /// trailing space. Null when valid, else why not.</summary>
    public static string? ClinicError(string s)
    {
        if (s.Length is 0 or > MaxClinicLength || string.IsNullOrWhiteSpace(s))
        {
            return $"a clinic name has 1-{MaxClinicLength} characters";
        }
        if (s.Trim().Length != s.Length)
        {
            return "a clinic name does not start or end with a space";
        }
        if (s.Any(c => char.IsControl(c) || c == '\\'))
        {
            return "a clinic name has no control characters and no backslash";
        }
        return null;
    }

    /// <summary>A clinic user needs at least one clinic; other roles have none. Null when the pair fits, else why not.</summary>
    public static string? RoleClinicsError(string role, IReadOnlyCollection<string> clinics)
    {
        if (!Roles.IsValid(role))
        {
            return "role must be admin, radiologist or clinic";
        }
        if (role == Roles.Clinic && clinics.Count == 0)
        {
            return "a clinic user needs at least one clinic";
        }
        if (role != Roles.Clinic && clinics.Count > 0)
        {
            return "only a clinic user has clinics";
        }
        return clinics.Select(ClinicError).FirstOrDefault(e => e is not null);
    }
}

/// <summary>A change to an account by an admin; null members stay as they are. A role other than clinic drops the clinics.</summary>
public sealed record UserUpdate(string? Role = null, IReadOnlyList<string>? Clinics = null, bool? Disabled = null);

public enum UserChangeStatus
{
    Changed,
    NotFound,

    /// <summary>Refused: no enabled admin would be left.</summary>
    LastAdmin,

    /// <summary>Refused: the role and clinics do not fit together (<see cref="AccountRules.RoleClinicsError"/>).</summary>
    Invalid,
}

public sealed record UserChange(UserChangeStatus Status, UserRecord? User = null, string? Error = null);

/// <summary>A filtered page of the audit trail, newest first. <see cref="Kind"/> matches the kind or the kinds under it
/// ("user" matches user.added, user.password, ...); <see cref="From"/> is inclusive, <see cref="To"/> exclusive.</summary>
public sealed record AuditQuery
{
    public string? Kind { get; init; }
    public string? Actor { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}

public enum RetryOutcome
{
    Retried,
    NotFound,

    /// <summary>Not in a state that can be retried (a job: not failed, or not the instance's latest; a delivery: sent or
    /// being sent).</summary>
    NotRetryable,
}

/// <summary>A result delivery as the admin's list shows it: the delivery and the study it belongs to.</summary>
public sealed record DeliveryRow(string StudyInstanceUid, string Clinic, DeliveryInfo Delivery);
