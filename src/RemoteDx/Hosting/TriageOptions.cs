namespace RemoteDx.Hosting;

/// <summary>RemoteDx:Database — SQLite in the data folder unless PostgreSQL is configured.</summary>
public sealed class DatabaseOptions
{
    /// <summary>"sqlite" (default) or "postgresql". Empty: PostgreSQL when <see cref="ConnectionString"/> is set.</summary>
    public string? Provider { get; set; }

    /// <summary>Npgsql connection string for PostgreSQL; for SQLite an optional database file path (default
    /// &lt;data&gt;/remotedx.db).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite: below this free space on the database's volume, serve reports unhealthy and rejects new
    /// associations (transient) before commits start failing. Unset: RemoteDx:Dicom:FreeSpaceReserveMB (the database
    /// usually shares the data folder's volume). 0: only the health monitor's write probe notices a full volume.</summary>
    public long? FreeSpaceReserveMB { get; set; }
}

/// <summary>RemoteDx:Scoring — the scoring workers and their job queue.</summary>
public sealed class ScoringOptions
{
    /// <summary>Scoring workers in this process (0: none; the listener still queues jobs).</summary>
    public int Workers { get; set; } = 2;

    public int MaxAttempts { get; set; } = 5;

    public double RetryBaseSeconds { get; set; } = 5;

    public double RetryMaxSeconds { get; set; } = 600;

    /// <summary>How long a claimed job stays this process's before another may take it over.</summary>
    public double LeaseSeconds { get; set; } = 120;

    /// <summary>How often an idle worker looks for jobs queued by other processes or due after a backoff.</summary>
    public double PollSeconds { get; set; } = 1;

    public IEnumerable<string> Validate()
    {
        if (Workers is < 0 or > 256)
        {
            yield return "RemoteDx:Scoring:Workers must be 0..256";
        }
        if (MaxAttempts < 1)
        {
            yield return "RemoteDx:Scoring:MaxAttempts must be at least 1";
        }
        if (RetryBaseSeconds < 0 || RetryMaxSeconds < RetryBaseSeconds)
        {
            yield return "RemoteDx:Scoring:RetryBaseSeconds must be >= 0 and RetryMaxSeconds >= RetryBaseSeconds";
        }
        if (LeaseSeconds < 1)
        {
            yield return "RemoteDx:Scoring:LeaseSeconds must be at least 1";
        }
        if (PollSeconds is <= 0 or > 60)
        {
            yield return "RemoteDx:Scoring:PollSeconds must be in (0, 60]";
        }
    }
}

/// <summary>RemoteDx:Worklist.</summary>
public sealed class WorklistOptions
{
    /// <summary>A study counts as complete once no image has arrived for this long.</summary>
    public double QuietPeriodSeconds { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        if (QuietPeriodSeconds < 0)
        {
            yield return "RemoteDx:Worklist:QuietPeriodSeconds must not be negative";
        }
    }
}

/// <summary>RemoteDx:Notifications — the STAT webhook.</summary>
public sealed class NotificationOptions
{
    /// <summary>http(s) URL that receives a JSON POST when a study becomes STAT; empty: no notifications.</summary>
    public string? WebhookUrl { get; set; }

    public int MaxAttempts { get; set; } = 10;

    public double RetryBaseSeconds { get; set; } = 5;

    public double RetryMaxSeconds { get; set; } = 900;

    public double TimeoutSeconds { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrEmpty(WebhookUrl) && (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
        {
            yield return $"RemoteDx:Notifications:WebhookUrl '{WebhookUrl}' is not an http(s) URL";
        }
        if (MaxAttempts < 1)
        {
            yield return "RemoteDx:Notifications:MaxAttempts must be at least 1";
        }
        if (TimeoutSeconds <= 0)
        {
            yield return "RemoteDx:Notifications:TimeoutSeconds must be positive";
        }
    }
}

/// <summary>RemoteDx:Security — sessions, login lockout and the login rate limit.</summary>
public sealed class SecurityOptions
{
    public double SessionHours { get; set; } = 12;

    /// <summary>Password verifications allowed per name per lock window; the one that reaches it locks the name.</summary>
    public int LockoutFailures { get; set; } = 5;

    public double LockoutMinutes { get; set; } = 15;

    /// <summary>Marks the session cookie Secure (true), or not (false); unset: Secure unless RemoteDx:HttpUrl is plain
    /// http on a loopback address. Over https it is always Secure.</summary>
    public bool? SecureCookie { get; set; }

    /// <summary>POST /api/login requests allowed per client address per minute (then 429 with Retry-After).</summary>
    public int LoginPermitsPerMinute { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        if (SessionHours <= 0)
        {
            yield return "RemoteDx:Security:SessionHours must be positive";
        }
        if (LockoutFailures < 1)
        {
            yield return "RemoteDx:Security:LockoutFailures must be at least 1";
        }
        if (LockoutMinutes <= 0)
        {
            yield return "RemoteDx:Security:LockoutMinutes must be positive";
        }
        if (LoginPermitsPerMinute < 1)
        {
            yield return "RemoteDx:Security:LoginPermitsPerMinute must be at least 1";
        }
    }
}
