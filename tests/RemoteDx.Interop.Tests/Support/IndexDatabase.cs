using System.Globalization;
using Microsoft.Data.Sqlite;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>Reads RemoteDx's SQLite index and job queue from outside the process, as an operator would.</summary>
public static class IndexDatabase
{
    public static long Count(string databasePath, string sql, params (string Name, object Value)[] args)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var conn = new SqliteConnection(cs);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=10000";
        cmd.ExecuteNonQuery();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Every indexed instance: (SOP Instance UID, archive path).</summary>
    public static List<(string Sop, string Path)> InstancePaths(string databasePath)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var conn = new SqliteConnection(cs);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT sop_instance_uid, path FROM instances";
        using var r = cmd.ExecuteReader();
        var result = new List<(string, string)>();
        while (r.Read())
        {
            result.Add((r.GetString(0), r.GetString(1)));
        }
        return result;
    }

    public static long Jobs(string databasePath, string sop) =>
        Count(databasePath, "SELECT count(*) FROM jobs WHERE sop_instance_uid = $sop", ("$sop", sop));

    public static long Instances(string databasePath, string sop) =>
        Count(databasePath, "SELECT count(*) FROM instances WHERE sop_instance_uid = $sop", ("$sop", sop));
}
