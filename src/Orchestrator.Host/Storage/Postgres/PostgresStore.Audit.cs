using Npgsql;

namespace Orchestrator.Host.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string AuditColumns = "instance, seq, at, kind, actor, step, text, via, prev, hash, keyed";

    public IReadOnlyList<AuditEntry> AuditOf(string instanceId) =>
        Query($"SELECT {AuditColumns} FROM audit WHERE instance = @instance ORDER BY seq", ToEntry, ("instance", instanceId));

    public IEnumerable<AuditEntry> AllAudit() => Query($"SELECT {AuditColumns} FROM audit ORDER BY instance, seq", ToEntry);

    /// <summary>
    /// The same check as LiteDB's (<see cref="AuditChain.Verify(IEnumerable{StoredChain}, Func{IEnumerable{string}}, bool, byte[])"/>),
    /// reading instances and events side by side in id order on two connections, so memory holds one chain at a time.
    /// This store never had unkeyed chains to seal: one written with a key must stay keyed.
    /// </summary>
    public AuditReport VerifyAudit(byte[]? key)
    {
        using var instances = Open();
        using var events = Open();
        var keyedStore = Scalar<bool>("SELECT EXISTS (SELECT 1 FROM audit WHERE keyed)");
        var orphans = new List<string>();
        return AuditChain.Verify(Chains(instances, events, orphans), () => orphans, keyedStore, key);
    }

    private static IEnumerable<StoredChain> Chains(NpgsqlConnection instances, NpgsqlConnection events, List<string> orphans)
    {
        using var readInstances = Command(instances, null, "SELECT id, doc::text, audited, chain FROM instances ORDER BY id");
        using var instanceRows = readInstances.ExecuteReader();
        using var readEvents = Command(events, null, $"SELECT {AuditColumns} FROM audit ORDER BY instance, seq");
        using var eventRows = readEvents.ExecuteReader();
        var next = eventRows.Read() ? ToEntry(eventRows) : null;
        while (instanceRows.Read())
        {
            var id = instanceRows.GetString(0);
            // Both sides are in the "C" collation's order, which is ordinal.
            while (next is not null && string.CompareOrdinal(next.Instance, id) < 0)
            {
                if (orphans.Count == 0 || orphans[^1] != next.Instance) orphans.Add(next.Instance);
                next = eventRows.Read() ? ToEntry(eventRows) : null;
            }
            var entries = new List<AuditEntry>();
            while (next is not null && next.Instance == id)
            {
                entries.Add(next);
                next = eventRows.Read() ? ToEntry(eventRows) : null;
            }
            yield return new StoredChain(id, entries, StoreJson.HistoryOf(instanceRows.GetString(1)), instanceRows.GetInt32(2), instanceRows.GetString(3), Seal: null);
        }
        while (next is not null)
        {
            if (orphans.Count == 0 || orphans[^1] != next.Instance) orphans.Add(next.Instance);
            next = eventRows.Read() ? ToEntry(eventRows) : null;
        }
    }

    private static AuditEntry ToEntry(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt32(1),
        Time(r, "at")!.Value,
        r.GetString(3),
        Text(r, "actor"),
        Text(r, "step"),
        r.GetString(6),
        Text(r, "via"),
        r.GetString(8),
        r.GetString(9),
        r.GetBoolean(10));
}
