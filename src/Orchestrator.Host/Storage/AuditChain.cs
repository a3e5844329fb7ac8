using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JsonSerializer = System.Text.Json.JsonSerializer;
using LiteDB;
using Orchestrator.Core.Instances;

namespace Orchestrator.Host.Storage;

/// <summary>
/// One event of an instance's audit trail, carrying the hash of the event before it. <see cref="Keyed"/>: the hash is an
/// HMAC-SHA256 under the audit key; otherwise a plain SHA-256 (events written before the chain was keyed).
/// </summary>
internal sealed record AuditEntry(
    string Instance,
    int Seq,
    DateTimeOffset At,
    string Kind,
    string? Actor,
    string? Step,
    string Text,
    string? Via,
    string Prev,
    string Hash,
    bool Keyed = false);

/// <summary>
/// A hash chain per instance over its history: each event is stored with the HMAC-SHA256, under the audit key (see
/// <see cref="AuditKey"/>), of its content and of the event before it, in the same transaction as the change that caused
/// it. Editing, removing or reordering any stored event, or the history kept with the instance, breaks the chain where it
/// happened, and without the key nobody can make it whole again. Chains written before the key (plain SHA-256) still
/// verify, and are reported as unkeyed; a keyed event after them vouches for them too, as its MAC covers their hash.
/// </summary>
internal static class AuditChain
{
    public const string Collection = "audit";
    public const string Genesis = "";

    // Marks a store whose unkeyed chains were sealed, so the pass runs once.
    private const string Meta = "audit_meta", SealedId = "sealed";

    /// <summary>
    /// Once, the first time a store is opened with a key: seals each instance whose chain is wholly unkeyed with an HMAC of
    /// its head, kept on the instance. Its next change is keyed (and vouches for it); until then the seal does, so that
    /// turning a keyed chain into an unkeyed one, without the key, does not pass for an old chain.
    /// </summary>
    public static void SealLegacy(LiteDatabase db, byte[] key)
    {
        var meta = db.GetCollection(Meta);
        if (meta.FindById(SealedId) is not null) return;
        var audit = db.GetCollection(Collection);
        var instances = db.GetCollection("instances");
        // One pass over the events outside any transaction (a per-instance look-up inside one scans the whole collection):
        // the chains that have events, less those with a keyed one, are the legacy chains to seal.
        var audited = new HashSet<string>(StringComparer.Ordinal);
        var keyed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in audit.Query().Select(BsonExpression.Create("{ i: $.instance, k: $.keyed }")).ToEnumerable())
        {
            if (!e["i"].IsString) continue;
            audited.Add(e["i"].AsString);
            if (e["k"].IsBoolean && e["k"].AsBoolean) keyed.Add(e["i"].AsString);
        }
        audited.ExceptWith(keyed);
        // Batches keep each transaction short; sealing again after a crash in between writes the same seals.
        foreach (var batch in audited.Order(StringComparer.Ordinal).Chunk(500))
        {
            db.BeginTrans();
            try
            {
                foreach (var id in batch)
                {
                    if (instances.FindById(id) is not { } doc) continue;
                    doc["seal"] = Seal(key, id, doc);
                    instances.Update(doc);
                }
                db.Commit();
            }
            catch
            {
                db.Rollback();
                throw;
            }
        }
        meta.Upsert(new BsonDocument { ["_id"] = SealedId, ["at"] = DateTime.UtcNow });
    }

    private static string Seal(byte[] key, string id, BsonDocument instance)
    {
        var head = instance.TryGetValue("chain", out var c) && c.IsString ? c.AsString : Genesis;
        var audited = instance.TryGetValue("audited", out var a) && a.IsInt32 ? a.AsInt32 : 0;
        return Seal(key, id, audited, head);
    }

    private static string Seal(byte[] key, string id, int audited, string head) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new object[] { "seal", id, audited, head }))));

    /// <summary>
    /// The instance's events from <paramref name="from"/> on as chain entries, keyed with <paramref name="key"/> (null:
    /// unkeyed), the first linked to <paramref name="prev"/>: what any store writes, in the transaction of the change.
    /// </summary>
    public static IReadOnlyList<AuditEntry> Link(WorkflowInstance instance, int from, string prev, byte[]? key)
    {
        var entries = new List<AuditEntry>(Math.Max(0, instance.History.Count - from));
        for (var seq = from; seq < instance.History.Count; seq++)
        {
            var e = instance.History[seq];
            var hash = Hash(key, instance.Id, seq, e.At, e.Kind.ToString(), e.Actor, e.StepId, e.Text, e.Via, prev);
            entries.Add(new AuditEntry(instance.Id, seq, e.At, e.Kind.ToString(), e.Actor, e.StepId, e.Text, e.Via, prev, hash, key is not null));
            prev = hash;
        }
        return entries;
    }

    /// <summary>
    /// Appends the instance's events from <paramref name="from"/> on, keyed with <paramref name="key"/> (null: unkeyed, as
    /// before the chain was keyed); returns the hash of the last one.
    /// </summary>
    public static string Append(ILiteCollection<BsonDocument> audit, WorkflowInstance instance, int from, string prev, byte[]? key)
    {
        foreach (var e in Link(instance, from, prev, key))
        {
            audit.Insert(new BsonDocument
            {
                ["_id"] = Id(instance.Id, e.Seq),
                ["instance"] = instance.Id,
                ["seq"] = e.Seq,
                ["at"] = e.At.UtcDateTime,
                ["kind"] = e.Kind,
                ["actor"] = e.Actor,
                ["step"] = e.Step,
                ["text"] = e.Text,
                ["via"] = e.Via,
                ["prev"] = e.Prev,
                ["hash"] = e.Hash,
                ["keyed"] = e.Keyed,
            });
            prev = e.Hash;
        }
        return prev;
    }

    /// <summary>
    /// Every chain in the file, checked link by link and against the history kept with each instance. Without a
    /// <paramref name="key"/> the links are checked but keyed events' MACs cannot be (counted as unchecked).
    /// </summary>
    public static AuditReport Verify(LiteDatabase db, byte[]? key = null)
    {
        var audit = db.GetCollection(Collection);
        var instances = db.GetCollection("instances");
        // A store never opened with a key is wholly unkeyed: its chains verify as they always did.
        var keyedStore = db.GetCollection(Meta).FindById(SealedId) is not null || audit.Exists(Query.EQ("keyed", true));
        var stored = instances.FindAll().Select(doc =>
        {
            var id = doc["_id"].AsString;
            return new StoredChain(
                id,
                EntriesOf(audit, id),
                StoreJson.HistoryOf(doc["json"].AsString),
                doc.TryGetValue("audited", out var a) && a.IsInt32 ? a.AsInt32 : 0,
                doc.TryGetValue("chain", out var c) && c.IsString ? c.AsString : Genesis,
                doc.TryGetValue("seal", out var seal) && seal.IsString ? seal.AsString : null);
        });
        return Verify(stored, () => audit.FindAll().Select(d => d["instance"].AsString).Distinct(), keyedStore, key);
    }

    /// <summary>
    /// Every chain of <paramref name="chains"/> checked link by link and against the history kept with its instance, then
    /// the events of instances not among them (<paramref name="auditedInstances"/>, read after the chains). Any store's.
    /// </summary>
    /// <param name="keyedStore">Whether the store was ever written with a key: then a wholly unkeyed chain needs a seal.</param>
    public static AuditReport Verify(IEnumerable<StoredChain> chains, Func<IEnumerable<string>> auditedInstances, bool keyedStore, byte[]? key)
    {
        var problems = new List<string>();
        var count = 0;
        var events = 0;
        var notChecked = 0;
        var legacy = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chain in chains)
        {
            var id = chain.Id;
            seen.Add(id);
            count++;
            events += chain.Entries.Count;
            notChecked += CheckChain(id, chain.Entries, chain.History, chain.Audited, chain.Head, key, problems);
            if (chain.Entries.Count == 0 || chain.Entries.Any(e => e.Keyed)) continue;
            legacy.Add(id);
            if (!keyedStore) continue;
            if (key is null) notChecked++;
            else if (chain.Seal is null || !Same(Seal(key, id, chain.Audited, chain.Head), chain.Seal))
                problems.Add($"{id}: unkeyed chain without a valid seal from the audit key (rewritten without the key, or checked with another key)");
        }
        foreach (var orphan in auditedInstances().Where(i => !seen.Contains(i)))
            problems.Add($"{orphan}: audit events of an instance that is not in the store (deleted?)");
        return new AuditReport(count, events, problems, legacy, notChecked);
    }

    /// <summary>Checks one chain into <paramref name="problems"/>; returns how many keyed events could not be checked for want of a key.</summary>
    private static int CheckChain(string id, IReadOnlyList<AuditEntry> entries, IReadOnlyList<InstanceEvent> history, int audited, string head, byte[]? key, List<string> problems)
    {
        var prev = Genesis;
        var notChecked = 0;
        var keyedSeen = false;
        for (var n = 0; n < entries.Count; n++)
        {
            var e = entries[n];
            if (e.Seq != n)
            {
                problems.Add($"{id} #{n}: event missing (the next stored is #{e.Seq})");
                return notChecked;
            }
            if (e.Prev != prev)
                problems.Add($"{id} #{n}: does not link to the event before it");
            if (e.Keyed)
            {
                keyedSeen = true;
                if (key is null) notChecked++;
                else if (!Same(Hash(key, e.Instance, e.Seq, e.At, e.Kind, e.Actor, e.Step, e.Text, e.Via, e.Prev), e.Hash))
                    problems.Add($"{id} #{n}: content does not match its hash (edited after it was written, or checked with another audit key)");
            }
            else if (keyedSeen)
                // Once keyed, a chain stays keyed: an unkeyed event after keyed ones was rewritten by someone without the key.
                problems.Add($"{id} #{n}: unkeyed event after keyed ones (rewritten without the audit key)");
            else if (!Same(Hash(null, e.Instance, e.Seq, e.At, e.Kind, e.Actor, e.Step, e.Text, e.Via, e.Prev), e.Hash))
                problems.Add($"{id} #{n}: content does not match its hash (edited after it was written)");
            if (n < history.Count && !Same(e, history[n]))
                problems.Add($"{id} #{n}: the instance's own history differs from the audit trail");
            prev = e.Hash;
        }
        if (entries.Count != audited || prev != head)
            problems.Add($"{id}: the trail has {entries.Count} events ending in {Short(prev)}, the instance expects {audited} ending in {Short(head)} (events removed or added)");
        else if (history.Count > entries.Count)
            problems.Add($"{id}: {history.Count - entries.Count} events in the instance's history were never audited");
        return notChecked;
    }

    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public static IReadOnlyList<AuditEntry> EntriesOf(ILiteCollection<BsonDocument> audit, string instanceId) =>
        audit.Find(Query.EQ("instance", instanceId)).Select(ToEntry).OrderBy(e => e.Seq).ToList();

    public static IEnumerable<AuditEntry> All(LiteDatabase db) =>
        db.GetCollection(Collection).FindAll().Select(ToEntry).OrderBy(e => e.Instance, StringComparer.Ordinal).ThenBy(e => e.Seq);

    private static bool Same(AuditEntry e, InstanceEvent h) =>
        Stamp(e.At) == Stamp(h.At) && e.Kind == h.Kind.ToString() && e.Actor == h.Actor && e.Step == h.StepId && e.Text == h.Text && e.Via == h.Via;

    private static AuditEntry ToEntry(BsonDocument d) => new(
        d["instance"].AsString,
        d["seq"].AsInt32,
        new DateTimeOffset(DateTime.SpecifyKind(d["at"].AsDateTime, DateTimeKind.Utc)),
        d["kind"].AsString,
        Str(d, "actor"),
        Str(d, "step"),
        d["text"].AsString,
        Str(d, "via"),
        d["prev"].AsString,
        d["hash"].AsString,
        d.TryGetValue("keyed", out var k) && k.IsBoolean && k.AsBoolean);

    private static string? Str(BsonDocument d, string name) => d.TryGetValue(name, out var v) && v.IsString ? v.AsString : null;

    private static string Id(string instance, int seq) => $"{instance}/{seq.ToString("D6", CultureInfo.InvariantCulture)}";

    private static string Short(string hash) => hash.Length == 0 ? "(start)" : hash[..12];

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    // Millisecond precision: LiteDB keeps dates to the millisecond, so the hash covers exactly what is stored.
    private static string Hash(byte[]? key, string instance, int seq, DateTimeOffset at, string kind, string? actor, string? step, string text, string? via, string prev)
    {
        var canonical = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new object?[]
        {
            instance, seq, Stamp(at), kind, actor, step, text, via, prev,
        }));
        return Convert.ToHexStringLower(key is null ? SHA256.HashData(canonical) : HMACSHA256.HashData(key, canonical));
    }
}

/// <summary>One instance's chain as a store keeps it: its audit events, the history kept with it, and its head.</summary>
/// <param name="Seal">The HMAC sealing a wholly unkeyed chain (see <see cref="AuditChain.SealLegacy"/>), if any.</param>
internal sealed record StoredChain(string Id, IReadOnlyList<AuditEntry> Entries, IReadOnlyList<InstanceEvent> History, int Audited, string Head, string? Seal);

/// <param name="Legacy">Instances whose whole chain is unkeyed (written before the audit key).</param>
/// <param name="Unchecked">Keyed events whose MAC was not checked, for want of the key.</param>
internal sealed record AuditReport(int Chains, int Events, IReadOnlyList<string> Problems, IReadOnlyList<string> Legacy, int Unchecked)
{
    public bool Intact => Problems.Count == 0;
}
