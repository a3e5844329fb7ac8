namespace Orchestrator.Host.Storage;

/// <summary>Opens the provider a host is configured for; the PostgreSQL one lives in Storage/Postgres.</summary>
internal static partial class StoreProviders
{
    public static IStore OpenPostgres(string connectionString, TimeProvider time, ILogger logger, byte[] auditKey) =>
        throw new InvalidOperationException("Storage:Provider 'postgres' is not built into this version.");
}
