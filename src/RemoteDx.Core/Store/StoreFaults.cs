// PS3.4 B.2.3 A7xx "Refused: Out of Resources": the store boundary's one rule for "the database is not there"
using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Core.Store;

/// <summary>Tells an infrastructure fault of the index store (disk full, I/O error, busy, connection refused or lost,
/// server shutting down) from a bug or bad data, and turns the former into <see cref="OutOfResourcesException"/>, which
/// the network layer's status boundary answers A700 (docs/conformance.md): a sender retries an A7xx, many do not retry
/// 0110. The health monitor uses the same rule.</summary>
public static class StoreFaults
{
    /// <summary>SQLite primary result codes (https://sqlite.org/rescode.html) of an unavailable database.</summary>
    private static readonly HashSet<int> SqliteUnavailable =
    [
        5,  // SQLITE_BUSY
        6,  // SQLITE_LOCKED
        7,  // SQLITE_NOMEM
        8,  // SQLITE_READONLY
        10, // SQLITE_IOERR
        13, // SQLITE_FULL
        14, // SQLITE_CANTOPEN
    ];

    /// <summary>True when <paramref name="exception"/> (or what it wraps) says the database cannot be reached or written
    /// right now, as opposed to a constraint, a syntax error or a bug.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite:
                    return SqliteUnavailable.Contains(sqlite.SqliteErrorCode & 0xFF);
                case PostgresException pg:
                    // Class 08 connection exception, 53 insufficient resources, 57P operator intervention (shutdown,
                    // cannot connect now), 58 system error (I/O).
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("58", StringComparison.Ordinal);
                case NpgsqlException:
                    // Not a server error: the connection could not be opened, broke, or timed out.
                    return true;
                case SocketException or TimeoutException:
                    return true;
                case DbException db when db.IsTransient:
                    return true;
            }
        }
        return false;
    }

    /// <summary>For an operator (the health monitor's reason): the exception type, and for SQLite the result code's name,
    /// since SQLITE_FULL says what to do. No connection details.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite)
            {
                return (sqlite.SqliteErrorCode & 0xFF) switch
                {
                    5 => "SQLITE_BUSY",
                    8 => "SQLITE_READONLY",
                    10 => "SQLITE_IOERR",
                    13 => "SQLITE_FULL: the database's volume is full",
                    14 => "SQLITE_CANTOPEN",
                    var code => "SqliteException " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            }
        }
        return exception.GetType().Name;
    }

    /// <summary>Runs a store call; an unavailable database becomes <see cref="OutOfResourcesException"/>.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc cref="GuardAsync{T}(Func{Task{T}})"/>
    public static async Task GuardAsync(Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
    }

    // The comment reaches the peer (Error Comment, LO): the exception type only, no connection details.
    private static OutOfResourcesException Unavailable(Exception ex) =>
        new("database unavailable (" + ex.GetType().Name + ")", ex);
}
