using System.Text;
using Npgsql;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Webhooks;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Orchestrator.Host.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string Columns = "doc::text";

    public WorkflowInstance? Get(string id) =>
        Query($"SELECT {Columns} FROM instances WHERE id = @id", r => r.GetString(0), ("id", id)).Select(Deserialize).FirstOrDefault();

    /// <summary>One row per workflow, counted up in place: two hosts never get the same number.</summary>
    public int NextNumber(string workflowId) =>
        Scalar<int>("INSERT INTO counters (workflow, n) VALUES (@workflow, 1) ON CONFLICT (workflow) DO UPDATE SET n = counters.n + 1 RETURNING n",
            ("workflow", workflowId));

    public void Insert(WorkflowInstance instance, IReadOnlyList<Effect> effects) => Commit(instance, effects, expectedRevision: null);

    public bool TryUpdate(WorkflowInstance instance, int expectedRevision, IReadOnlyList<Effect> effects) => Commit(instance, effects, expectedRevision);

    private sealed record Head(int Revision, int Audited, string Chain);

    /// <summary>
    /// The instance, its new audit events and its outbox rows in one transaction (the batch's, when one runs). A change
    /// the database refuses sets the instance aside and throws <see cref="InstanceNotSavedException"/>; in a batch it aborts
    /// the batch (<see cref="BatchAbortedException"/>). A lost connection is not the instance's fault: it is rethrown as is.
    /// </summary>
    private bool Commit(WorkflowInstance instance, IReadOnlyList<Effect> effects, int? expectedRevision)
    {
        var inBatch = Current is not null;
        Head? head = null;
        try
        {
            return InTransaction(ambient =>
            {
                if (expectedRevision is { } expected)
                {
                    // Locks the row: a second writer with the same expected revision waits, then finds it changed.
                    head = Query(ambient.Connection, ambient.Transaction, "SELECT revision, audited, chain FROM instances WHERE id = @id FOR UPDATE",
                        r => new Head(r.GetInt32(0), r.GetInt32(1), r.GetString(2)), ("id", instance.Id)).FirstOrDefault();
                    if (head is null || head.Revision != expected) return false;
                }
                try
                {
                    var change = Write(ambient, instance, effects, head, expectedRevision);
                    ambient.Changes.Add(change);
                    if (change.OutboxAdded > 0) ambient.OutboxAdded = true;
                }
                catch (Exception e) when (inBatch && !Transient(e))
                {
                    // PostgreSQL has aborted the batch's transaction: nothing more may be written in it.
                    throw new BatchAbortedException(instance.Id, e);
                }
                return true;
            });
        }
        catch (Exception e) when (!inBatch && !Transient(e) && e is not BatchAbortedException)
        {
            throw NotSaved(instance, head, e);
        }
    }

    private InstanceChange Write(Ambient ambient, WorkflowInstance instance, IReadOnlyList<Effect> effects, Head? head, int? expectedRevision)
    {
        var audited = head?.Audited ?? 0;
        _definitions.EnsureStored(instance.Definition);
        var entries = AuditChain.Link(instance, audited, head?.Chain ?? AuditChain.Genesis, _auditKey);
        var chain = entries.Count > 0 ? entries[^1].Hash : head?.Chain ?? AuditChain.Genesis;
        var json = JsonSerializer.Serialize(instance, _definitions.InstanceOptions);

        using var batch = new NpgsqlBatch(ambient.Connection, ambient.Transaction);
        var row = new (string, object?)[]
        {
            ("id", instance.Id),
            ("workflow", instance.WorkflowId),
            ("requester", instance.Requester.ToLowerInvariant()),
            ("state", instance.State.ToString()),
            ("waiting", instance.IsOpen ? instance.CurrentOwners().Select(e => e.ToLowerInvariant()).Distinct().ToArray() : Array.Empty<string>()),
            ("revision", instance.Revision),
            ("stuck", StuckItem.Of(instance).Count > 0),
            ("unowned", instance.IsOpen && instance.Current is { State: StepState.Active } && !instance.CurrentOwners().Any()),
            ("deadline", instance.IsOpen && instance.Current is { State: StepState.Active, DueAt: { } deadline } ? deadline : null),
            ("due", instance.NextDueAt()),
            ("started", instance.StartedAt),
            ("activated", instance.Current?.ActivatedAt),
            ("audited", instance.History.Count),
            ("chain", chain),
            ("doc", new JsonText(json)),
            ("expected", expectedRevision ?? 0),
        };
        var write = expectedRevision is null
            ? BatchCommand("""
                INSERT INTO instances (id, workflow, requester, state, waiting, revision, stuck, unowned, deadline, due, started, activated, audited, chain, doc)
                VALUES (@id, @workflow, @requester, @state, @waiting, @revision, @stuck, @unowned, @deadline, @due, @started, @activated, @audited, @chain, @doc)
                """, row)
            : BatchCommand("""
                UPDATE instances SET workflow = @workflow, requester = @requester, state = @state, waiting = @waiting, revision = @revision,
                    stuck = @stuck, unowned = @unowned, deadline = @deadline, due = @due, started = @started, activated = @activated,
                    audited = @audited, chain = @chain, doc = @doc
                WHERE id = @id AND revision = @expected
                """, row);
        batch.BatchCommands.Add(write);
        // Stored again: it leaves the admins' queue with this change (or stays, if the change rolls back).
        if (expectedRevision is not null) batch.BatchCommands.Add(BatchCommand("DELETE FROM set_aside WHERE instance = @id", ("id", instance.Id)));
        foreach (var e in entries)
            batch.BatchCommands.Add(BatchCommand("""
                INSERT INTO audit (instance, seq, at, kind, actor, step, text, via, prev, hash, keyed)
                VALUES (@instance, @seq, @at, @kind, @actor, @step, @text, @via, @prev, @hash, @keyed)
                """,
                ("instance", e.Instance), ("seq", e.Seq), ("at", e.At), ("kind", e.Kind), ("actor", e.Actor), ("step", e.Step),
                ("text", e.Text), ("via", e.Via), ("prev", e.Prev), ("hash", e.Hash), ("keyed", e.Keyed)));
        var now = _time.GetUtcNow();
        for (var n = 0; n < effects.Count; n++)
            // No look-up first: the revision check makes these keys new, and the unique key would refuse a repeat.
            batch.BatchCommands.Add(InsertOutbox(OutboxKinds.Effect, $"{instance.Id}/r{instance.Revision}/{n}", instance.Id, effects[n].Recipient,
                JsonSerializer.Serialize(effects[n], StoreJson.Options), now, ifNew: false, Route(effects[n])));
        var hooks = WebhookMessages.For(instance, audited);
        foreach (var hook in hooks) batch.BatchCommands.Add(InsertOutbox(OutboxKinds.Webhook, hook.Key, instance.Id, hook.Url, hook.Payload, now, ifNew: false));
        batch.ExecuteNonQuery();
        if (write.RecordsAffected != 1)
            throw new InvalidOperationException($"Instance {instance.Id} changed while it was being written (revision {expectedRevision}).");
        return new InstanceChange(instance, instance.History.Skip(audited).ToList(), effects.Count + hooks.Count);
    }

    private InstanceNotSavedException NotSaved(WorkflowInstance instance, Head? head, Exception e)
    {
        var what = Clip(instance.History.Skip(head?.Audited ?? 0).LastOrDefault()?.Text ?? "a change", 120);
        var reason = Clip(e.Message, 300);
        LogNotSaved(e, instance.Id, what);
        // A new instance that cannot be stored does not exist: there is nothing to set aside.
        if (head is not null)
        {
            try
            {
                RecordSetAside(instance.Id, instance.Current?.StepId, what, reason);
            }
            catch (Exception recording) when (recording is NpgsqlException or StoreUnavailableException)
            {
                LogNotSaved(recording, instance.Id, "recording that it was set aside");
            }
        }
        return new InstanceNotSavedException(instance.Id, reason, e);
    }

    [LoggerMessage(LogLevel.Error, "Could not save instance {InstanceId} ({What}); it is set aside for an admin (admin stuck)")]
    private partial void LogNotSaved(Exception ex, string instanceId, string what);

    public void SetAside(string instanceId, string? stepId, string what, string error) =>
        RecordSetAside(instanceId, stepId, Clip(what, 120), Clip(error, 300));

    private void RecordSetAside(string instanceId, string? stepId, string what, string error)
    {
        var now = _time.GetUtcNow();
        Execute("""
            INSERT INTO set_aside (instance, step, what, error, since, tried) VALUES (@instance, @step, @what, @error, @now, @now)
            ON CONFLICT (instance) DO UPDATE SET step = excluded.step, what = excluded.what, error = excluded.error, tried = excluded.tried
            """, ("instance", instanceId), ("step", stepId), ("what", what), ("error", error), ("now", now));
    }

    public IReadOnlyList<SetAsideInstance> SetAside() =>
        Query("SELECT instance, step, what, error, since, tried FROM set_aside ORDER BY since, instance",
            r => new SetAsideInstance(r.GetString(0), Text(r, "step"), r.GetString(2), r.GetString(3), Time(r, "since")!.Value, Time(r, "tried")!.Value));

    public IReadOnlyList<WorkflowInstance> ListInstances(string? state, string? workflow, string? after, int limit)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM instances WHERE true");
        if (state is not null) sql.Append(" AND state = @state");
        if (workflow is not null) sql.Append(" AND workflow = @workflow");
        if (after is not null) sql.Append(" AND id > @after");
        sql.Append(" ORDER BY id LIMIT @limit");
        return Instances(sql.ToString(), ("state", state), ("workflow", workflow), ("after", after), ("limit", limit));
    }

    public int CountInstances() => (int)Scalar<long>("SELECT count(*) FROM instances");

    public IReadOnlyList<WorkflowInstance> StartedBy(string email, int limit) =>
        Instances($"SELECT {Columns} FROM instances WHERE requester = @requester ORDER BY started DESC, id LIMIT @limit",
            ("requester", email.ToLowerInvariant()), ("limit", limit));

    /// <summary>Through the GIN index on the people each instance waits on.</summary>
    public IReadOnlyList<WorkflowInstance> WaitingOn(string email) =>
        Instances($"SELECT {Columns} FROM instances WHERE waiting @> @who ORDER BY activated NULLS FIRST, id",
            ("who", new[] { email.Trim().ToLowerInvariant() }));

    public IReadOnlyList<WorkflowInstance> NeedingAdmin() =>
        Instances($"SELECT {Columns} FROM instances WHERE stuck OR unowned ORDER BY id").Where(i => StuckItem.Of(i).Count > 0).ToList();

    public IReadOnlyList<WorkflowInstance> Overdue(DateTimeOffset now) =>
        Instances($"SELECT {Columns} FROM instances WHERE deadline <= @now ORDER BY deadline, id", ("now", now));

    public IReadOnlyList<WorkflowInstance> Unowned() =>
        Instances($"SELECT {Columns} FROM instances WHERE unowned ORDER BY id");

    public IReadOnlyList<string> DueInstanceIds(DateTimeOffset now, int limit) =>
        Query("SELECT id FROM instances WHERE due <= @now ORDER BY due, id LIMIT @limit", r => r.GetString(0), ("now", now), ("limit", limit));

    public IReadOnlyList<Effect> EffectsOf(string instanceId) =>
        Query("SELECT payload FROM outbox WHERE instance = @instance AND kind = @kind AND starts_with(key, @prefix) ORDER BY id",
                r => r.GetString(0), ("instance", instanceId), ("kind", OutboxKinds.Effect), ("prefix", $"{instanceId}/r"))
            .Select(json => JsonSerializer.Deserialize<Effect>(json, StoreJson.Options)!)
            .ToList();

    public int CountDefinitionVersions() => _definitions.Count();

    // The rows are read first, then turned into instances: a definition not cached yet is read on a connection of its own.
    private List<WorkflowInstance> Instances(string sql, params (string Name, object? Value)[] args) =>
        Query(sql, r => r.GetString(0), args).Select(Deserialize).ToList();

    private WorkflowInstance Deserialize(string json) => JsonSerializer.Deserialize<WorkflowInstance>(json, _definitions.InstanceOptions)!;
}
