namespace Orchestrator.Host.Storage;

/// <summary>Opens the provider a host is configured for; the PostgreSQL one lives in Storage/Postgres.</summary>
internal static partial class StoreProviders
{
    public static IStore OpenPostgres(string connectionString, TimeProvider time, ILogger logger, byte[] auditKey) =>
        Postgres.PostgresStorage.Open(connectionString, time, logger, auditKey);
}
