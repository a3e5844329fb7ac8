using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace Orchestrator.Host.Storage.Postgres;

/// <summary>
/// Opens the PostgreSQL store: migrates the schema to this version (once, whichever host gets there first), then connects.
/// Migrations are the SQL files in <c>Storage/Postgres/Migrations</c>, embedded and applied in name order by DbUp, each
/// recorded in the <c>schema_versions</c> journal; they are never edited once released, only added.
/// </summary>
internal static partial class PostgresStorage
{
    private const string Journal = "schema_versions";
    private const string MigrationsPrefix = "Orchestrator.Host.Storage.Postgres.Migrations.";

    // Hosts starting at once take turns: the first migrates, the others then find nothing to do.
    private const long MigrationLock = 0x6F72636800;

    /// <summary>Migrates, then returns the store. Throws <see cref="StoreUnavailableException"/> when the database cannot be reached,
    /// and <see cref="SchemaTooNewException"/> when a newer version of Orchestrator has migrated it further.</summary>
    public static PostgresStore Open(string connectionString, TimeProvider time, ILogger logger, byte[] auditKey)
    {
        Migrate(connectionString, logger);
        return new PostgresStore(connectionString, time, logger, auditKey);
    }

    /// <summary>The migrations this version knows, in the order they apply.</summary>
    public static IReadOnlyList<string> Known { get; } = typeof(PostgresStorage).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(MigrationsPrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static void Migrate(string connectionString, ILogger logger)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"{settings.Host}:{settings.Port}/{settings.Database}";
        using var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            throw new StoreUnavailableException($"Cannot connect to PostgreSQL at {where} (Storage:ConnectionString): {e.Message}", e);
        }
        using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@lock)", connection))
        {
            take.Parameters.AddWithValue("lock", MigrationLock);
            take.ExecuteNonQuery();
        }
        try
        {
            var unknown = Applied(connection).Where(name => !Known.Contains(name, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
                throw new SchemaTooNewException(
                    $"The database at {where} has schema migrations this version of Orchestrator does not know ({string.Join(", ", unknown.Select(Short))}): " +
                    "a newer version has upgraded it. Run that version (or newer); this one will not write to a schema it does not know.");
            var upgrade = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.StartsWith(MigrationsPrefix, StringComparison.Ordinal))
                .JournalToPostgresqlTable("public", Journal)
                .WithTransactionPerScript()
                .WithVariablesDisabled()
                .LogTo(new UpgradeLog(logger))
                .Build()
                .PerformUpgrade();
            if (!upgrade.Successful)
                throw new InvalidOperationException($"Migrating the database at {where} failed at {upgrade.ErrorScript?.Name ?? "a script"}: {upgrade.Error?.Message}", upgrade.Error);
        }
        finally
        {
            using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@lock)", connection);
            release.Parameters.AddWithValue("lock", MigrationLock);
            release.ExecuteNonQuery();
        }
    }

    private static List<string> Applied(NpgsqlConnection connection)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
        exists.Parameters.AddWithValue("table", $"public.{Journal}");
        if (!(bool)exists.ExecuteScalar()!) return [];
        using var read = new NpgsqlCommand($"SELECT scriptname FROM public.{Journal} ORDER BY scriptname", connection);
        using var reader = read.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static string Short(string name) => name.StartsWith(MigrationsPrefix, StringComparison.Ordinal) ? name[MigrationsPrefix.Length..] : name;

    /// <summary>DbUp's progress in the host's log.</summary>
    private sealed partial class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        public void LogInformation(string format, params object[] args) => LogMigration(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogWarning(string format, params object[] args) => LogMigrationWarning(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) => LogMigrationError(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) => LogMigrationError(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        [LoggerMessage(LogLevel.Information, "Schema: {Message}")]
        private static partial void LogMigration(ILogger logger, string message);

        [LoggerMessage(LogLevel.Warning, "Schema: {Message}")]
        private static partial void LogMigrationWarning(ILogger logger, string message);

        [LoggerMessage(LogLevel.Error, "Schema: {Message}")]
        private static partial void LogMigrationError(ILogger logger, string message);
    }
}

/// <summary>The database was migrated by a newer version: this one refuses to start rather than write to a schema it does not know.</summary>
internal sealed class SchemaTooNewException(string message) : Exception(message);
