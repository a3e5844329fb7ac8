namespace Orchestrator.Host.Storage;

/// <summary>Failures of the store itself (as opposed to the work done in it), whichever provider raised them.</summary>
internal static class StoreErrors
{
    /// <summary>True for an error the store raised: after one, a batch's transaction is gone and its work must be done again.</summary>
    public static bool IsStoreFailure(Exception ex) => ex is LiteDB.LiteException or Postgres.StoreUnavailableException || IsPostgresFailure(ex);

    /// <summary>Why the store cannot be opened at all (unreachable, or a schema newer than this version), for a clean exit at start.</summary>
    public static bool PreventsStart(Exception ex) => IsStoreFailure(ex) || ex is Postgres.SchemaTooNewException;

    private static bool IsPostgresFailure(Exception ex) => ex.GetType().FullName?.StartsWith("Npgsql.", StringComparison.Ordinal) == true;
}
