namespace Orchestrator.Host.Storage;

/// <summary>Opens the provider a host is configured for; the PostgreSQL one lives in Storage/Postgres.</summary>
internal static partial class StoreProviders
{
    /// <summary>The one LiteDB file at <paramref name="path"/>; <paramref name="auditKey"/> null writes the chain unkeyed (CLI reads).</summary>
    public static IStore OpenLiteDb(string path, TimeProvider? time = null, ILogger? logger = null, byte[]? auditKey = null) =>
        new LiteDbStore(path, time, logger, auditKey);

    public static IStore OpenPostgres(string connectionString, TimeProvider time, ILogger logger, byte[] auditKey) =>
        Postgres.PostgresStorage.Open(connectionString, time, logger, auditKey);
}
