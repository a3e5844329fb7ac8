using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Cli;

/// <summary>
/// The store an admin command works on, chosen as the host chooses it: <c>--db</c> names a LiteDB file; without it,
/// <c>Storage:Provider</c> (appsettings.json, environment) says <c>litedb</c> (<c>Storage:Path</c>) or <c>postgres</c>
/// (<c>Storage:ConnectionString</c>). PostgreSQL is shared: commands change it while hosts run.
/// </summary>
internal static class CliStore
{
    /// <summary>The configured PostgreSQL connection string, when the provider is postgres and no file was named.</summary>
    public static string? Postgres(string? db)
    {
        if (db is not null) return null;
        var provider = CliCommands.Configured($"{StorageOptions.Section}:Provider");
        if (!string.Equals(provider, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase)) return null;
        return CliCommands.Configured($"{StorageOptions.Section}:ConnectionString")
            ?? throw new InvalidOperationException("Storage:Provider is 'postgres' but Storage:ConnectionString is not set (Storage__ConnectionString).");
    }

    public static IStore OpenPostgres(string connectionString, byte[]? auditKey) =>
        StoreProviders.OpenPostgres(connectionString, TimeProvider.System, NullLogger.Instance, auditKey ?? []);

    /// <summary>Where, for messages: the server and database, never the password.</summary>
    public static string Describe(IStoreInfo store) => $"{store.Provider} {store.Location}";
}
