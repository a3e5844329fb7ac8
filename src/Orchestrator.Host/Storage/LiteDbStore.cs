using JsonSerializer = System.Text.Json.JsonSerializer;
using LiteDB;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Webhooks;

namespace Orchestrator.Host.Storage;

/// <summary>
/// The one LiteDB file: instances, their outbox, the Slack inbox, identities and card references.
/// Writes are serialised and wrapped in a transaction so an instance and the effects it causes land together.
/// </summary>
internal sealed partial class LiteDbStore : IStore
{
    private readonly LiteDatabase _db;
    private readonly Lock _gate = new();
    private readonly ILiteCollection<BsonDocument> _instances;
    private readonly ILiteCollection<BsonDocument> _counters;
    private readonly ILiteCollection<BsonDocument> _outbox;
    private readonly ILiteCollection<BsonDocument> _inbox;
    private readonly ILiteCollection<BsonDocument> _identities;
    private readonly ILiteCollection<BsonDocument> _cards;
    private readonly ILiteCollection<BsonDocument> _audit;
    private readonly ILiteCollection<BsonDocument> _setAside;
    private readonly DefinitionVersions _definitions;
    private readonly HashSet<string> _setAsideIds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[]? _auditKey;

    // The thread running a batch (see Batch), or 0; its writes join the batch's one transaction.
    private int _batchThread;
    private bool _batchAddedEffects;
    private readonly List<InstanceChange> _batchChanges = [];

    /// <summary>Raised after a commit that added outbox messages, so the dispatcher starts at once.</summary>
    public event Action? OutboxChanged;

    /// <summary>Raised after each committed change of an instance, with the history events it added (for metrics and logs).</summary>
    public event Action<InstanceChange>? Committed;

    /// <param name="auditKey">Keys the audit chain (see <see cref="AuditKey"/>); the host always gives one, null writes it unkeyed.</param>
    public LiteDbStore(string path, TimeProvider? time = null, ILogger? logger = null, byte[]? auditKey = null)
    {
        _auditKey = auditKey;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Path = System.IO.Path.GetFullPath(path);
        // Every commit is on disk before it returns: what a person was told was recorded survives a power loss.
        Disk = DurableEngine.Engine(Path);
        _db = new LiteDatabase(Disk, disposeOnClose: true);
        _instances = _db.GetCollection("instances");
        _definitions = new DefinitionVersions(_db);
        _counters = _db.GetCollection("counters");
        _outbox = _db.GetCollection("outbox", BsonAutoId.Int64);
        _inbox = _db.GetCollection("inbox");
        _identities = _db.GetCollection("identities");
        _cards = _db.GetCollection("cards");
        _audit = _db.GetCollection(AuditChain.Collection);
        _audit.EnsureIndex("instance");
        if (auditKey is not null) AuditChain.SealLegacy(_db, auditKey);
        _setAside = _db.GetCollection("setaside");
        _setAsideIds = _setAside.FindAll().Select(d => d["_id"].AsString).ToHashSet(StringComparer.Ordinal);
        _instances.EnsureIndex("requester");
        // "waiting" holds an array: only an index over its elements finds one owner among several.
        _instances.EnsureIndex("waiting_each", "$.waiting[*]");
        _instances.EnsureIndex("state");
        _instances.EnsureIndex("workflow");
        _instances.EnsureIndex("due");
        _instances.EnsureIndex("deadline");
        _instances.EnsureIndex("unowned");
        _instances.EnsureIndex("stuck");
        _outbox.EnsureIndex("key", unique: true);
        _outbox.EnsureIndex("pending");
        // Only delivered messages have a delivery time: retention finds the old ones without reading the rest.
        _outbox.EnsureIndex("delivered");
        _identities.EnsureIndex("slack");
        // The inbound processor asks for what is not done yet on every pass; without this it reads the whole inbox.
        _inbox.EnsureIndex("done");
        // When a finished request came in (null while it is not done): retention's way to the old ones.
        _inbox.EnsureIndex("finished", Finished);
    }

    public string Path { get; }

    /// <summary>The engine on the store's files, which syncs each commit to disk.</summary>
    internal DurableEngine Disk { get; }

    /// <summary>For channel stores that keep their own collections in the same file (Teams conversation references).</summary>
    internal LiteDatabase Database => _db;

    // ---- instances -------------------------------------------------------------------------------------------

    public WorkflowInstance? Get(string id)
    {
        var doc = _instances.FindById(id);
        return doc is null ? null : Deserialize(doc);
    }

    public int NextNumber(string workflowId)
    {
        lock (_gate)
        {
            var doc = _counters.FindById(workflowId) ?? new BsonDocument { ["_id"] = workflowId, ["n"] = 0 };
            var n = doc["n"].AsInt32 + 1;
            doc["n"] = n;
            _counters.Upsert(doc);
            return n;
        }
    }

    public void Insert(WorkflowInstance instance, IReadOnlyList<Effect> effects)
    {
        InstanceChange change;
        lock (_gate) change = Commit(instance, effects, null, doc => _instances.Insert(doc));
        Changed(change.OutboxAdded, change);
    }

    public bool TryUpdate(WorkflowInstance instance, int expectedRevision, IReadOnlyList<Effect> effects)
    {
        InstanceChange change;
        lock (_gate)
        {
            var current = _instances.FindById(instance.Id);
            if (current is null || current["revision"].AsInt32 != expectedRevision) return false;
            change = Commit(instance, effects, current, doc => _instances.Update(doc));
        }
        Changed(change.OutboxAdded, change);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> (many instance changes, e.g. one scheduler tick's) in one transaction: one flush to
    /// disk instead of one per change. Other writers wait meanwhile, so keep batches short.
    /// </summary>
    public void Batch(Action work)
    {
        lock (_gate)
        {
            if (_batchThread == Environment.CurrentManagedThreadId)
            {
                work();
                return;
            }
            _db.BeginTrans();
            _batchThread = Environment.CurrentManagedThreadId;
            try
            {
                work();
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                _definitions.Forget();
                _batchChanges.Clear();
                _batchAddedEffects = false;
                throw;
            }
            finally
            {
                _batchThread = 0;
            }
        }
        InstanceChange[] changes;
        lock (_gate)
        {
            changes = [.. _batchChanges];
            _batchChanges.Clear();
        }
        foreach (var change in changes) Committed?.Invoke(change);
        if (_batchAddedEffects)
        {
            _batchAddedEffects = false;
            OutboxChanged?.Invoke();
        }
    }

    private bool InBatch => _batchThread == Environment.CurrentManagedThreadId;

    private void Changed(int effects, InstanceChange? change = null)
    {
        if (InBatch)
        {
            if (change is not null) _batchChanges.Add(change);
            if (effects > 0) _batchAddedEffects = true;
            return;
        }
        if (change is not null) Committed?.Invoke(change);
        if (effects > 0) OutboxChanged?.Invoke();
    }

    /// <summary>
    /// The instance, its new audit events and the effects it causes land together or not at all. A change that cannot be
    /// stored sets the instance aside (see <see cref="SetAside"/>) and throws <see cref="InstanceNotSavedException"/>; in a
    /// batch it aborts the whole batch instead (<see cref="BatchAbortedException"/>), as LiteDB has already rolled it back.
    /// </summary>
    private InstanceChange Commit(WorkflowInstance instance, IReadOnlyList<Effect> effects, BsonDocument? current, Action<BsonDocument> write)
    {
        if (InBatch)
        {
            try
            {
                return Write(instance, effects, current, write);
            }
            catch (Exception e)
            {
                // After a failed operation LiteDB has dropped the batch's transaction: nothing more may be written in it.
                throw new BatchAbortedException(instance.Id, e);
            }
        }
        _db.BeginTrans();
        try
        {
            var change = Write(instance, effects, current, write);
            _db.Commit();
            return change;
        }
        catch (Exception e)
        {
            _db.Rollback();
            _definitions.Forget();
            throw NotSaved(instance, current, e);
        }
    }

    private InstanceNotSavedException NotSaved(WorkflowInstance instance, BsonDocument? current, Exception e)
    {
        var audited = current is not null && current.TryGetValue("audited", out var a) && a.IsInt32 ? a.AsInt32 : 0;
        var what = Clip(instance.History.Skip(audited).LastOrDefault()?.Text ?? "a change", 120);
        var reason = Clip(e.Message, 300);
        LogNotSaved(e, instance.Id, what);
        // A new instance that cannot be stored does not exist: there is nothing to set aside.
        if (current is not null)
        {
            try
            {
                RecordSetAside(instance.Id, instance.Current?.StepId, what, reason);
            }
            catch (LiteException recording)
            {
                LogNotSaved(recording, instance.Id, "recording that it was set aside");
            }
        }
        return new InstanceNotSavedException(instance.Id, reason, e);
    }

    /// <summary>Sets an instance aside after a failure outside the store (the scheduler's), so an admin sees it.</summary>
    public void SetAside(string instanceId, string? stepId, string what, string error)
    {
        lock (_gate) RecordSetAside(instanceId, stepId, Clip(what, 120), Clip(error, 300));
    }

    private void RecordSetAside(string instanceId, string? stepId, string what, string error)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var since = _setAside.FindById(instanceId) is { } old ? old["since"].AsDateTime : now;
        _setAside.Upsert(new BsonDocument
        {
            ["_id"] = instanceId,
            ["step"] = stepId,
            ["what"] = what,
            ["error"] = error,
            ["since"] = since,
            ["tried"] = now,
        });
        _setAsideIds.Add(instanceId);
    }

    /// <summary>Instances whose last change could not be stored, oldest first.</summary>
    public IReadOnlyList<SetAsideInstance> SetAside()
    {
        lock (_gate)
        {
            if (_setAsideIds.Count == 0) return [];
            var all = _setAside.FindAll()
                .Select(d => new SetAsideInstance(d["_id"].AsString, d["step"].IsString ? d["step"].AsString : null, d["what"].AsString, d["error"].AsString,
                    Utc(d["since"].AsDateTime), Utc(d["tried"].AsDateTime)))
                .OrderBy(s => s.Since)
                .ToList();
            _setAsideIds.IntersectWith(all.Select(s => s.InstanceId));
            return all;
        }
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(LogLevel.Error, "Could not save instance {InstanceId} ({What}); it is set aside for an admin (admin stuck)")]
    private partial void LogNotSaved(Exception ex, string instanceId, string what);

    private InstanceChange Write(WorkflowInstance instance, IReadOnlyList<Effect> effects, BsonDocument? current, Action<BsonDocument> write)
    {
        var audited = current is not null && current.TryGetValue("audited", out var a) && a.IsInt32 ? a.AsInt32 : 0;
        var prev = current is not null && current.TryGetValue("chain", out var c) && c.IsString ? c.AsString : AuditChain.Genesis;
        _definitions.EnsureStored(instance.Definition);
        var doc = Serialize(instance);
        doc["chain"] = AuditChain.Append(_audit, instance, audited, prev, _auditKey);
        doc["audited"] = instance.History.Count;
        write(doc);
        // Stored again: it leaves the admins' queue with this change (or stays, if the change rolls back). The set of ids
        // only spares the look-up on the many commits of instances never set aside; SetAside() refreshes it.
        if (_setAsideIds.Contains(instance.Id)) _setAside.Delete(instance.Id);
        AddEffects(instance, effects);
        var hooks = WebhookMessages.For(instance, audited);
        foreach (var hook in hooks) InsertOutbox(OutboxKinds.Webhook, hook.Key, instance.Id, hook.Url, hook.Payload);
        return new InstanceChange(instance, instance.History.Skip(audited).ToList(), effects.Count + hooks.Count);
    }

    /// <summary>A page of instances through the indexes on state and workflow, in id order after <paramref name="after"/>.</summary>
    public IReadOnlyList<WorkflowInstance> ListInstances(string? state, string? workflow, string? after, int limit)
    {
        var query = _instances.Query();
        if (state is not null) query = query.Where(Query.EQ("state", state));
        if (workflow is not null) query = query.Where(Query.EQ("workflow", workflow));
        if (after is not null) query = query.Where(Query.GT("_id", after));
        return query.OrderBy("_id").Limit(limit).ToEnumerable().Select(Deserialize).ToList();
    }

    /// <summary>The audit trail of one instance, oldest first, each event with its hash and the previous one's.</summary>
    public IReadOnlyList<AuditEntry> AuditOf(string instanceId) => AuditChain.EntriesOf(_audit, instanceId);

    public IReadOnlyList<WorkflowInstance> StartedBy(string email, int limit) =>
        _instances.Find(Query.EQ("requester", email.ToLowerInvariant()))
            .Select(Deserialize)
            .OrderByDescending(i => i.StartedAt)
            .Take(limit)
            .ToList();

    public IReadOnlyList<WorkflowInstance> WaitingOn(string email) =>
        _instances.Find(BsonExpression.Create("$.waiting[*] ANY = @0", new BsonValue(email.Trim().ToLowerInvariant())))
            .Select(Deserialize)
            .OrderBy(i => i.Current?.ActivatedAt)
            .ToList();

    public int CountInstances() => _instances.Count();

    /// <summary>Open instances whose current step is past its deadline, through the index on the deadline.</summary>
    public IReadOnlyList<WorkflowInstance> Overdue(DateTimeOffset now) =>
        _instances.Find(Query.Between("deadline", new BsonValue(DateTime.MinValue), new BsonValue(now.UtcDateTime))).Select(Deserialize).ToList();

    /// <summary>Open instances whose current step has nobody to hold it (waiting on an admin).</summary>
    public IReadOnlyList<WorkflowInstance> Unowned() =>
        _instances.Find(Query.EQ("unowned", true)).Select(Deserialize).ToList();

    /// <summary>Open instances with something only an admin can unblock, through the index on it (older rows: the unowned one).</summary>
    public IReadOnlyList<WorkflowInstance> NeedingAdmin() =>
        _instances.Find(Query.Or(Query.EQ("stuck", true), Query.EQ("unowned", true))).Select(Deserialize)
            .Where(i => StuckItem.Of(i).Count > 0)
            .ToList();

    /// <summary>Records that a digest went to a person for a local date; false when one already did.</summary>
    public bool TryMarkDigest(string email, DateOnly localDate)
    {
        var digests = _db.GetCollection("digests");
        lock (_gate)
        {
            var id = email.ToLowerInvariant();
            var day = localDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            if (digests.FindById(id) is { } d && d["day"].AsString == day) return false;
            digests.Upsert(new BsonDocument { ["_id"] = id, ["day"] = day });
            return true;
        }
    }

    /// <summary>Ids of instances with something due by <paramref name="now"/>, earliest first, through the index on the next due time.</summary>
    public IReadOnlyList<string> DueInstanceIds(DateTimeOffset now, int limit) =>
        _instances.Find(Query.Between("due", new BsonValue(DateTime.MinValue), new BsonValue(now.UtcDateTime)), limit: limit)
            .Select(d => d["_id"].AsString)
            .ToList();

    /// <summary>Every effect an instance's changes caused, oldest first (a channel re-draws a card from its latest state).</summary>
    public IReadOnlyList<Effect> EffectsOf(string instanceId) =>
        _outbox.Find(Query.StartsWith("key", $"{instanceId}/r"))
            .Where(d => d["kind"].AsString == OutboxKinds.Effect && d["instance"].AsString == instanceId)
            .OrderBy(d => d["_id"].AsInt64)
            .Select(d => JsonSerializer.Deserialize<Effect>(d["payload"].AsString, StoreJson.Options)!)
            .ToList();

    private void AddEffects(WorkflowInstance instance, IReadOnlyList<Effect> effects)
    {
        for (var n = 0; n < effects.Count; n++)
        {
            var json = JsonSerializer.Serialize(effects[n], StoreJson.Options);
            // No look-up first: the revision check makes these keys new, and the unique index would refuse a repeat.
            InsertOutbox(OutboxKinds.Effect, $"{instance.Id}/r{instance.Revision}/{n}", instance.Id, effects[n].Recipient, json, Route(effects[n]));
        }
    }

    /// <summary>How many definition versions the file keeps (each once, however many instances refer to it).</summary>
    public int CountDefinitionVersions() => _definitions.Count();

    private BsonDocument Serialize(WorkflowInstance instance)
    {
        var waiting = new BsonArray(instance.IsOpen ? instance.CurrentOwners().Select(e => new BsonValue(e.ToLowerInvariant())) : []);
        return new BsonDocument
        {
            ["_id"] = instance.Id,
            ["workflow"] = instance.WorkflowId,
            ["requester"] = instance.Requester.ToLowerInvariant(),
            ["state"] = instance.State.ToString(),
            ["waiting"] = waiting,
            ["revision"] = instance.Revision,
            ["stuck"] = StuckItem.Of(instance).Count > 0,
            ["unowned"] = instance.IsOpen && instance.Current is { State: StepState.Active } && !instance.CurrentOwners().Any(),
            ["deadline"] = instance.IsOpen && instance.Current is { State: StepState.Active, DueAt: { } deadline } ? new BsonValue(deadline.UtcDateTime) : BsonValue.Null,
            ["due"] = instance.NextDueAt() is { } due ? new BsonValue(due.UtcDateTime) : BsonValue.Null,
            ["json"] = JsonSerializer.Serialize(instance, _definitions.InstanceOptions),
        };
    }

    private WorkflowInstance Deserialize(BsonDocument doc) =>
        JsonSerializer.Deserialize<WorkflowInstance>(doc["json"].AsString, _definitions.InstanceOptions)!;

    // ---- outbox ----------------------------------------------------------------------------------------------

    /// <summary>Adds a message to the outbox unless one with the same key exists; true when added.</summary>
    public bool Enqueue(string kind, string key, string? instanceId, string? recipient, string payload)
    {
        bool added;
        lock (_gate) added = EnqueueLocked(kind, key, instanceId, recipient, payload);
        if (added) Changed(1);
        return added;
    }

    private bool EnqueueLocked(string kind, string key, string? instanceId, string? recipient, string payload)
    {
        if (_outbox.FindOne(Query.EQ("key", key)) is not null) return false;
        InsertOutbox(kind, key, instanceId, recipient, payload);
        return true;
    }

    public Func<Effect, string?>? RouteEffects { get; set; }

    private string? Route(Effect effect) => OutboxRouting.Route(RouteEffects, effect);

    private void InsertOutbox(string kind, string key, string? instanceId, string? recipient, string payload, string? platform = null) =>
        _outbox.Insert(new BsonDocument
        {
            ["platform"] = platform,
            ["key"] = key,
            ["kind"] = kind,
            ["instance"] = instanceId,
            ["recipient"] = recipient,
            ["payload"] = payload,
            ["state"] = nameof(OutboxState.Pending),
            ["pending"] = true,
            ["attempts"] = 0,
            ["next"] = DateTime.MinValue,
            ["created"] = DateTime.UtcNow,
        });

    /// <summary>Pending messages in the order they were written.</summary>
    public IReadOnlyList<OutboxItem> PendingOutbox(int limit) =>
        _outbox.Find(Query.EQ("pending", true), limit: limit).OrderBy(d => d["_id"].AsInt64).Select(ToItem).ToList();

    // Claims live in memory: one process has the file (LiteDB takes it whole), so a claim never needs to outlive it, and
    // taking work costs no write (no sync) beside the acknowledgements that share the file. Keys: "o:<id>", "i:<key>".
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _claims = new(StringComparer.Ordinal);

    /// <summary>Who holds a claim now, or null when nobody does (call under the gate).</summary>
    private string? Leased(string key, DateTimeOffset now) =>
        _claims.TryGetValue(key, out var claim) && claim.Until > now ? claim.Owner : null;

    public IReadOnlyList<OutboxItem> ClaimOutbox(IReadOnlyCollection<string> kinds, bool except, string owner, DateTimeOffset now, TimeSpan lease, int limit,
        IReadOnlyCollection<string> skipRecipients)
    {
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var claimed = new List<OutboxItem>();
            foreach (var d in _outbox.Find(Query.EQ("pending", true)).OrderBy(d => d["_id"].AsInt64))
            {
                if (claimed.Count >= limit) break;
                if (kinds.Contains(d["kind"].AsString) == except) continue;
                var group = d["instance"].IsString ? d["instance"].AsString : d["key"].AsString;
                // Only the first pending message of an instance may go: the rest wait for it, in the order they were written.
                if (!seen.Add(group)) continue;
                if (DateTime.SpecifyKind(d["next"].AsDateTime, DateTimeKind.Utc) > now.UtcDateTime || Leased($"o:{d["_id"].AsInt64}", now) is not null) continue;
                if (d["recipient"].IsString && skipRecipients.Contains(d["recipient"].AsString)) continue;
                _claims[$"o:{d["_id"].AsInt64}"] = (owner, now + lease);
                claimed.Add(ToItem(d));
            }
            return claimed;
        }
    }


    public void ReleaseOutbox(long id, DateTimeOffset next) => Mark(id, d => d["next"] = next.UtcDateTime);

    public int CountFailedOutbox() => _outbox.Count(Query.EQ("state", nameof(OutboxState.Failed)));

    public OutboxItem? GetOutbox(long id) => _outbox.FindById(id) is { } d ? ToItem(d) : null;

    public IReadOnlyList<OutboxItem> AllOutbox() => _outbox.FindAll().Select(ToItem).ToList();

    public void MarkDelivered(long id, DateTimeOffset at) => Mark(id, d =>
    {
        d["state"] = nameof(OutboxState.Delivered);
        d["pending"] = false;
        d["delivered"] = at.UtcDateTime;
        d["attempts"] = d["attempts"].AsInt32 + 1;
    });

    public void MarkRetry(long id, DateTimeOffset next, string error) => Mark(id, d =>
    {
        d["attempts"] = d["attempts"].AsInt32 + 1;
        d["next"] = next.UtcDateTime;
        d["error"] = error;
    });

    /// <summary>
    /// Records, before a call that posts, that a try began: if the process dies before the outcome is written,
    /// the next try knows the post may have landed and looks for it instead of posting again.
    /// </summary>
    public void MarkTryStarted(long id) => Mark(id, d => d["tries"] = (d.TryGetValue("tries", out var t) && t.IsInt32 ? t.AsInt32 : 0) + 1, endsClaim: false);

    public void MarkDeferred(long id, DateTimeOffset next) => Mark(id, d => d["next"] = next.UtcDateTime);

    public void MarkFailed(long id, string error) => Mark(id, d =>
    {
        d["state"] = nameof(OutboxState.Failed);
        d["pending"] = false;
        d["attempts"] = d["attempts"].AsInt32 + 1;
        d["error"] = error;
    });

    private void Mark(long id, Action<BsonDocument> change, bool endsClaim = true)
    {
        lock (_gate)
        {
            var doc = _outbox.FindById(id);
            if (doc is null) return;
            change(doc);
            _outbox.Update(doc);
            // Every outcome ends the claim: the message is free again (or done).
            if (endsClaim) _claims.Remove($"o:{id}");
        }
    }

    private static OutboxItem ToItem(BsonDocument d) => new(
        d["_id"].AsInt64,
        d["key"].AsString,
        d["kind"].AsString,
        d["instance"].IsNull ? null : d["instance"].AsString,
        d["recipient"].IsNull ? null : d["recipient"].AsString,
        d["payload"].AsString,
        Enum.Parse<OutboxState>(d["state"].AsString),
        d["attempts"].AsInt32,
        new DateTimeOffset(DateTime.SpecifyKind(d["next"].AsDateTime, DateTimeKind.Utc)),
        d.TryGetValue("error", out var e) && e.IsString ? e.AsString : null,
        d.TryGetValue("tries", out var t) && t.IsInt32 ? t.AsInt32 : 0,
        d.TryGetValue("platform", out var p) && p.IsString ? p.AsString : null);

    // ---- inbox -----------------------------------------------------------------------------------------------

    /// <summary>Records an inbound request once; false when the same key was recorded before (a retry or a repeat).</summary>
    public bool TryRecordInbound(string key, string kind, string body, string? partition, DateTimeOffset at)
    {
        // No store-wide lock: this is Slack's acknowledgement path, and it must not wait behind instance commits. The
        // primary key makes the insert itself the check, atomically.
        try
        {
            _inbox.Insert(new BsonDocument
            {
                ["_id"] = key,
                ["kind"] = kind,
                ["body"] = body,
                ["partition"] = partition,
                ["received"] = at.UtcDateTime,
                // Two requests in one millisecond (what the date keeps) still keep the order they came in.
                ["seq"] = Interlocked.Increment(ref _inboundSeq),
                ["done"] = false,
            });
            return true;
        }
        catch (LiteException e) when (e.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            return false;
        }
    }

    private long _inboundSeq;

    /// <summary>Requests not done yet, in the order they came.</summary>
    private List<BsonDocument> Unprocessed() =>
        _inbox.Find(Query.EQ("done", false))
            .OrderBy(d => d["received"].AsDateTime).ThenBy(d => d.TryGetValue("seq", out var seq) && seq.IsInt64 ? seq.AsInt64 : 0)
            .ToList();

    public IReadOnlyList<InboundItem> UnprocessedInbound() =>
        Unprocessed().Select(d => new InboundItem(d["_id"].AsString, d["kind"].AsString, d["body"].AsString,
            new DateTimeOffset(DateTime.SpecifyKind(d["received"].AsDateTime, DateTimeKind.Utc)),
            d.TryGetValue("partition", out var p) && p.IsString ? p.AsString : null)).ToList();

    public IReadOnlyList<InboundItem> ClaimInbound(string owner, DateTimeOffset now, TimeSpan lease, int limit)
    {
        lock (_gate)
        {
            var pending = Unprocessed();
            // A partition with a request another host holds is left to it whole: one person's requests go one at a time.
            var held = pending.Where(d => Leased($"i:{d["_id"].AsString}", now) is { } by && by != owner).Select(PartitionOf).ToHashSet(StringComparer.Ordinal);
            var claimed = new List<InboundItem>();
            foreach (var d in pending)
            {
                if (claimed.Count >= limit) break;
                if (held.Contains(PartitionOf(d))) continue;
                _claims[$"i:{d["_id"].AsString}"] = (owner, now + lease);
                claimed.Add(new InboundItem(d["_id"].AsString, d["kind"].AsString, d["body"].AsString,
                    new DateTimeOffset(DateTime.SpecifyKind(d["received"].AsDateTime, DateTimeKind.Utc)),
                    d.TryGetValue("partition", out var p) && p.IsString ? p.AsString : null));
            }
            return claimed;
        }
    }

    private static string PartitionOf(BsonDocument d) =>
        d.TryGetValue("partition", out var p) && p.IsString ? p.AsString : "request:" + d["_id"].AsString;


    public void MarkInboundDone(string key)
    {
        lock (_gate)
        {
            var doc = _inbox.FindById(key);
            if (doc is null) return;
            if (doc["done"].AsBoolean) throw new InboundAlreadyDoneException(key);
            doc["done"] = true;
            _inbox.Update(doc);
            _claims.Remove($"i:{key}");
        }
    }

    public bool IsInboundDone(string key) => _inbox.FindById(key) is { } d && d["done"].AsBoolean;

    public int CountInbound() => _inbox.Count();

    // ---- retention -------------------------------------------------------------------------------------------

    // A query uses an index when it asks by the index's own expression.
    private const string Finished = "IIF($.done = true, $.received, null)";

    /// <summary>
    /// Looks at up to <paramref name="limit"/> outbox messages delivered before <paramref name="before"/>, oldest first,
    /// after the first <paramref name="skip"/> (those a previous batch kept), and deletes in one commit those no longer
    /// needed. Pending and failed messages are never touched, nor the messages of an instance still open (a Teams card is
    /// drawn again from its instance's latest effect). Returns how many were deleted and how many looked at (fewer than
    /// <paramref name="limit"/>: nothing older is left).
    /// </summary>
    public (int Deleted, int Seen) PruneDelivered(DateTimeOffset before, int skip, int limit)
    {
        lock (_gate)
        {
            var rows = _outbox.Find(Query.Between("delivered", new BsonValue(DateTime.MinValue), new BsonValue(before.UtcDateTime)), skip, limit).ToList();
            var open = new Dictionary<string, bool>(StringComparer.Ordinal);
            var ids = rows
                .Where(d => d["state"].AsString == nameof(OutboxState.Delivered))
                .Where(d => !d["instance"].IsString || d["instance"].AsString.Length == 0 || !IsOpen(d["instance"].AsString, open))
                .Select(d => d["_id"])
                .ToArray();
            return (ids.Length == 0 ? 0 : _outbox.DeleteMany(Query.In("_id", ids)), rows.Count);
        }
    }

    private bool IsOpen(string instanceId, Dictionary<string, bool> known)
    {
        if (!known.TryGetValue(instanceId, out var open))
            known[instanceId] = open = _instances.FindById(instanceId) is { } doc && doc["state"].AsString == nameof(InstanceState.Open);
        return open;
    }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> finished inbound requests received before <paramref name="before"/>, oldest
    /// first, in one commit; requests not done yet are never touched. Returns how many were deleted.
    /// </summary>
    public int PruneFinishedInbound(DateTimeOffset before, int limit)
    {
        lock (_gate)
        {
            var ids = _inbox.Find(Query.Between(Finished, new BsonValue(DateTime.MinValue), new BsonValue(before.UtcDateTime)), limit: limit)
                .Where(d => d["done"].AsBoolean)
                .Select(d => d["_id"])
                .ToArray();
            return ids.Length == 0 ? 0 : _inbox.DeleteMany(Query.In("_id", ids));
        }
    }

    // ---- identities and posted cards ---------------------------------------------------------------------------

    public string? SlackUserOf(string email) =>
        _identities.FindById(email.ToLowerInvariant()) is { } d && d.TryGetValue("slack", out var v) && v.IsString ? v.AsString : null;

    public (string Email, string? TimeZone)? EmailOfSlackUser(string userId) =>
        SlackIdentityOf(userId) is { } known ? (known.Email, known.TimeZone) : null;

    /// <summary>The person a Slack user id belongs to, and when Slack last confirmed it (null for records kept before that was noted).</summary>
    public (string Email, string? TimeZone, DateTimeOffset? Seen)? SlackIdentityOf(string userId) =>
        _identities.FindOne(Query.EQ("slack", userId)) is { } d
            ? (d["_id"].AsString, d["tz"].IsString ? d["tz"].AsString : null,
                d.TryGetValue("seen", out var seen) && seen.IsDateTime ? new DateTimeOffset(DateTime.SpecifyKind(seen.AsDateTime, DateTimeKind.Utc)) : null)
            : null;

    /// <summary>The bot's DM channel with a person on Slack, once opened (it never changes, so it is opened once).</summary>
    public string? SlackDirectChannelOf(string email) =>
        _identities.FindById(email.ToLowerInvariant()) is { } d && d.TryGetValue("dm", out var v) && v.IsString ? v.AsString : null;

    public void SaveSlackDirectChannel(string email, string channel) => UpdateIdentity(email, doc => doc["dm"] = channel);

    /// <summary>The zone from a person's Slack profile, for people the directory gives none.</summary>
    public string? SlackTimeZoneOf(string email) =>
        _identities.FindById(email.ToLowerInvariant()) is { } d && d.TryGetValue("tz", out var tz) && tz.IsString ? tz.AsString : null;

    /// <summary>Remembers that a person opened the bot's App Home, so it is kept up to date from then on.</summary>
    public void MarkHomeOpened(string email) => UpdateIdentity(email, doc => doc["home"] = true);

    public bool HomeOpened(string email) =>
        _identities.FindById(email.ToLowerInvariant()) is { } d && d.TryGetValue("home", out var h) && h.IsBoolean && h.AsBoolean;

    /// <summary>Remembers what Slack said about a user just now; an id that moved to another email (an email change) leaves the old one.</summary>
    public void SaveSlackIdentity(string email, string userId, string? timeZone, DateTimeOffset seen)
    {
        lock (_gate)
        {
            var id = email.ToLowerInvariant();
            foreach (var old in _identities.Find(Query.EQ("slack", userId)).Where(d => d["_id"].AsString != id).ToList())
            {
                old.Remove("slack");
                old.Remove("dm");
                _identities.Update(old);
            }
            UpdateIdentity(email, doc =>
            {
                if (doc.TryGetValue("slack", out var previous) && previous.IsString && previous.AsString != userId) doc.Remove("dm");
                doc["slack"] = userId;
                doc["tz"] = timeZone;
                doc["seen"] = seen.UtcDateTime;
            });
        }
    }

    private void UpdateIdentity(string email, Action<BsonDocument> change)
    {
        lock (_gate)
        {
            var id = email.ToLowerInvariant();
            var doc = _identities.FindById(id) ?? new BsonDocument { ["_id"] = id };
            change(doc);
            _identities.Upsert(doc);
        }
    }

    public void SaveCard(string instanceId, string assignmentId, string platform, string channel, string messageId)
    {
        lock (_gate)
            _cards.Upsert(new BsonDocument
            {
                ["_id"] = $"{instanceId}/{assignmentId}",
                ["platform"] = platform,
                ["channel"] = channel,
                ["message"] = messageId,
            });
    }

    public PostedCard? FindCard(string instanceId, string assignmentId) =>
        _cards.FindById($"{instanceId}/{assignmentId}") is { } d
            ? new PostedCard(d["platform"].AsString, d["channel"].AsString, d["message"].AsString)
            : null;

    public void Dispose() => _db.Dispose();
}

internal enum OutboxState { Pending, Delivered, Failed }

/// <summary>A change in a batch could not be stored: the whole batch was rolled back; do its work again one change at a time.</summary>
internal sealed class BatchAbortedException(string instanceId, Exception inner) : Exception($"A batch was rolled back: {instanceId} could not be saved ({inner.Message})", inner)
{
    public string InstanceId { get; } = instanceId;
}

internal static class OutboxKinds
{
    public const string Effect = "effect";
    public const string SlackRespond = "slack.respond";
    public const string SlackOpenView = "slack.view";
    public const string SlackHome = "slack.home";
    public const string Webhook = "webhook";
}

/// <summary>A message in the outbox. <see cref="TriesStarted"/> counts posts begun, whether or not their outcome was recorded.</summary>
/// <param name="Platform">The chat platform an effect was routed to when it was committed; null when none was decided then.</param>
internal sealed record OutboxItem(long Id, string Key, string Kind, string? InstanceId, string? Recipient, string Payload, OutboxState State, int Attempts, DateTimeOffset NextAttempt, string? Error, int TriesStarted = 0, string? Platform = null);

/// <summary>A committed change of an instance and the history events it added.</summary>
internal sealed record InstanceChange(WorkflowInstance Instance, IReadOnlyList<InstanceEvent> NewEvents, int OutboxAdded);

internal sealed record InboundItem(string Key, string Kind, string Body, DateTimeOffset Received, string? Partition = null);

internal sealed record PostedCard(string Platform, string Channel, string MessageId);
