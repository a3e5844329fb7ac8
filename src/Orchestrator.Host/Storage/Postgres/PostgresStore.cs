using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Storage.Postgres;

/// <summary>
/// The store on PostgreSQL, shared by several hosts: every port of <see cref="IStore"/> on one database. Calls are
/// synchronous like the engine's; each takes a pooled connection, or joins the transaction of the batch (or commit) that
/// is running on the calling thread, so a change, its audit events and its outbox rows land together.
/// </summary>
/// <remarks>
/// Create it with <see cref="PostgresStorage.Open"/>, which migrates the schema first. Instances are <c>jsonb</c> beside
/// the columns their queries need; work shared by hosts (outbox, inbox) is claimed with <c>FOR UPDATE SKIP LOCKED</c>
/// and a lease; signals travel by <c>LISTEN/NOTIFY</c>.
/// </remarks>
internal sealed partial class PostgresStore : IStore
{
    private readonly NpgsqlDataSource _data;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[]? _auditKey;
    private readonly DefinitionVersions _definitions;

    // The batch (or commit) running on this flow of execution: calls on its thread join its transaction.
    private readonly AsyncLocal<Ambient?> _ambient = new();

    public event Action<InstanceChange>? Committed;

    public event Action? OutboxChanged;

    /// <param name="auditKey">Keys the audit chain (see <see cref="AuditKey"/>); null writes it unkeyed.</param>
    public PostgresStore(string connectionString, TimeProvider? time = null, ILogger? logger = null, byte[]? auditKey = null)
    {
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        // An empty key (a command that writes no instances) keys nothing.
        _auditKey = auditKey is { Length: > 0 } ? auditKey : null;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // An acknowledged change is on disk (the server's default, stated so a server-wide setting cannot weaken it).
        builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c synchronous_commit=on".Trim();
        builder.ConnectionStringBuilder.ApplicationName ??= "orchestrator";
        var settings = builder.ConnectionStringBuilder;
        Location = $"{settings.Host}:{settings.Port}/{settings.Database}";
        _data = builder.Build();
        _definitions = new DefinitionVersions(new DefinitionRows(this));
        Delegations = new PostgresDelegations(this);
        StartListening();
    }

    public string Provider => "postgres";

    /// <summary>The server and database; never the password.</summary>
    public string Location { get; }

    public IDelegationStore Delegations { get; }

    public string? Problem()
    {
        try
        {
            using var connection = _data.OpenConnection();
            using var command = new NpgsqlCommand("SELECT 1", connection);
            command.ExecuteScalar();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return $"PostgreSQL at {Location} does not answer: {e.Message}";
        }
    }

    // The container disposes the store once for each port it was registered under: the first time counts.
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        StopListening();
        _data.Dispose();
    }

    // ---- connections and transactions -----------------------------------------------------------------------

    private sealed class Ambient(NpgsqlConnection connection, NpgsqlTransaction transaction) : IDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;
        public NpgsqlTransaction Transaction { get; } = transaction;
        public int Thread { get; } = Environment.CurrentManagedThreadId;
        public bool OutboxAdded { get; set; }
        public List<InstanceChange> Changes { get; } = [];

        public void Dispose()
        {
            Transaction.Dispose();
            Connection.Dispose();
        }
    }

    // Only the thread that began it joins a batch: work the batch hands to other threads gets connections of its own.
    private Ambient? Current => _ambient.Value is { } ambient && ambient.Thread == Environment.CurrentManagedThreadId ? ambient : null;

    private NpgsqlConnection Open()
    {
        try
        {
            return _data.OpenConnection();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StoreUnavailableException($"PostgreSQL at {Location} cannot be reached: {e.Message}", e);
        }
    }

    /// <summary>Runs <paramref name="work"/> on the current transaction's connection, or on a pooled one of its own.</summary>
    private T Run<T>(Func<NpgsqlConnection, NpgsqlTransaction?, T> work)
    {
        if (Current is { } ambient) return work(ambient.Connection, ambient.Transaction);
        using var connection = Open();
        return work(connection, null);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the current transaction, or in one of its own that commits at the end; after that
    /// commit, raises the events of what it committed.
    /// </summary>
    private T InTransaction<T>(Func<Ambient, T> work)
    {
        if (Current is { } joined) return work(joined);
        var connection = Open();
        Ambient ambient;
        try
        {
            ambient = new Ambient(connection, connection.BeginTransaction());
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        T result;
        _ambient.Value = ambient;
        try
        {
            result = work(ambient);
            // Other hosts' dispatchers wake when this commits (a notification is sent only if the transaction commits).
            if (ambient.OutboxAdded) Notify(ambient.Connection, ambient.Transaction, OutboxTopic, "");
            ambient.Transaction.Commit();
        }
        catch
        {
            try
            {
                ambient.Transaction.Rollback();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone: the server rolls the transaction back itself.
            }
            _definitions.Forget();
            throw;
        }
        finally
        {
            _ambient.Value = null;
            ambient.Dispose();
        }
        foreach (var change in ambient.Changes) Committed?.Invoke(change);
        if (ambient.OutboxAdded) OutboxChanged?.Invoke();
        return result;
    }

    private void InTransaction(Action<Ambient> work) => InTransaction(a =>
    {
        work(a);
        return 0;
    });

    public void Batch(Action work) => InTransaction(_ => work());

    private static bool Transient(Exception e) => e is StoreUnavailableException or NpgsqlException { IsTransient: true };

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] args)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in args) command.Parameters.Add(Parameter(name, value));
        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params (string Name, object? Value)[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in args) command.Parameters.Add(Parameter(name, value));
        return command;
    }

    private static NpgsqlParameter Parameter(string name, object? value) => value switch
    {
        null => new NpgsqlParameter(name, DBNull.Value),
        DateTimeOffset at => new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = Micro(at) },
        JsonText json => new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json.Text },
        string[] texts => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = texts },
        _ => new NpgsqlParameter(name, value),
    };

    /// <summary>A parameter sent as <c>jsonb</c>.</summary>
    private sealed record JsonText(string Text);

    // PostgreSQL keeps microseconds; truncating here (not rounding there) keeps a stored time's millisecond, which the
    // audit hash covers, the same as the one hashed.
    private static DateTimeOffset Micro(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    private int Execute(string sql, params (string Name, object? Value)[] args) =>
        Run((connection, transaction) =>
        {
            using var command = Command(connection, transaction, sql, args);
            return command.ExecuteNonQuery();
        });

    private T? Scalar<T>(string sql, params (string Name, object? Value)[] args) =>
        Run((connection, transaction) =>
        {
            using var command = Command(connection, transaction, sql, args);
            var value = command.ExecuteScalar();
            return value is null or DBNull ? default : (T)value;
        });

    private List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object? Value)[] args) =>
        Run((connection, transaction) => Query(connection, transaction, sql, read, args));

    private static List<T> Query<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> read, params (string Name, object? Value)[] args)
    {
        using var command = Command(connection, transaction, sql, args);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    private static string? Text(NpgsqlDataReader r, string column)
    {
        var n = r.GetOrdinal(column);
        return r.IsDBNull(n) ? null : r.GetString(n);
    }

    private static DateTimeOffset? Time(NpgsqlDataReader r, string column)
    {
        var n = r.GetOrdinal(column);
        if (r.IsDBNull(n)) return null;
        var at = r.GetDateTime(n);
        return new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Definition versions in the <c>definitions</c> table, read and written in the current transaction.</summary>
    private sealed class DefinitionRows(PostgresStore store) : IDefinitionRows
    {
        public string? Find(string key) =>
            store.Query("SELECT doc::text FROM definitions WHERE key = @key", r => r.GetString(0), ("key", key)).FirstOrDefault();

        // Two hosts may store the same version at once: the first one's row stands, and it is the same.
        public void InsertIfMissing(string key, string workflowId, string version, Func<string> json) =>
            store.Execute("INSERT INTO definitions (key, workflow, version, doc) VALUES (@key, @workflow, @version, @doc) ON CONFLICT (key) DO NOTHING",
                ("key", key), ("workflow", workflowId), ("version", version), ("doc", new JsonText(json())));

        public int Count() => (int)store.Scalar<long>("SELECT count(*) FROM definitions");
    }
}

/// <summary>The database cannot be reached (at start, or while running): nothing was written; try again when it is back.</summary>
internal sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
