namespace RemoteDx.Core.Store;

/// <summary>Picks the store from configuration: PostgreSQL when a provider of "postgresql" or a connection string is
/// given, else SQLite in <c>&lt;data&gt;/remotedx.db</c>.</summary>
public static class TriageStoreFactory
{
    public static ITriageStore Create(string? provider, string? connectionString, string dataDirectory, TriageStoreOptions options)
    {
        var p = (provider ?? "").Trim().ToLowerInvariant();
        if (p is "postgresql" or "postgres" or "npgsql" || (p.Length == 0 && !string.IsNullOrWhiteSpace(connectionString)))
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new ArgumentException("RemoteDx:Database:Provider is postgresql but RemoteDx:Database:ConnectionString is not set");
            }
            return new PostgresTriageStore(connectionString, options);
        }
        if (p is not ("" or "sqlite"))
        {
            throw new ArgumentException($"RemoteDx:Database:Provider '{provider}' is not sqlite or postgresql");
        }
        var path = string.IsNullOrWhiteSpace(connectionString) ? Path.Combine(dataDirectory, "remotedx.db") : connectionString;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new SqliteTriageStore(path, options);
    }
}
