using Npgsql;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string OutboxColumns = "id, key, kind, instance, recipient, payload, state, attempts, next, error, tries, platform";

    public Func<Effect, string?>? RouteEffects { get; set; }

    private string? Route(Effect effect) => OutboxRouting.Route(RouteEffects, effect);

    // ---- outbox ----------------------------------------------------------------------------------------------

    public bool Enqueue(string kind, string key, string? instanceId, string? recipient, string payload) =>
        InTransaction(ambient =>
        {
            using var batch = new NpgsqlBatch(ambient.Connection, ambient.Transaction);
            var insert = InsertOutbox(kind, key, instanceId, recipient, payload, _time.GetUtcNow(), ifNew: true);
            batch.BatchCommands.Add(insert);
            batch.ExecuteNonQuery();
            if (insert.RecordsAffected == 0) return false;
            ambient.OutboxAdded = true;
            return true;
        });

    private static NpgsqlBatchCommand InsertOutbox(string kind, string key, string? instanceId, string? recipient, string payload, DateTimeOffset now, bool ifNew,
        string? platform = null) =>
        BatchCommand($"""
            INSERT INTO outbox (key, kind, instance, recipient, payload, state, created, platform)
            VALUES (@key, @kind, @instance, @recipient, @payload, '{nameof(OutboxState.Pending)}', @created, @platform)
            {(ifNew ? "ON CONFLICT (key) DO NOTHING" : "")}
            """,
            ("key", key), ("kind", kind), ("instance", instanceId), ("recipient", recipient), ("payload", payload), ("created", now), ("platform", platform));

    /// <summary>
    /// Leases the lane's messages that may go now. A message is a candidate only if no earlier pending message of its group
    /// (its instance, or its own key) exists in the lane: a second host cannot take an instance's next message while the
    /// first is still with another. Rows another host is claiming at this moment are skipped, not waited for.
    /// </summary>
    public IReadOnlyList<OutboxItem> ClaimOutbox(IReadOnlyCollection<string> kinds, bool except, string owner, DateTimeOffset now, TimeSpan lease, int limit,
        IReadOnlyCollection<string> skipRecipients)
    {
        if (limit <= 0) return [];
        return InTransaction(ambient => Query(ambient.Connection, ambient.Transaction, $"""
                WITH claimed AS (
                    SELECT o.id FROM outbox o
                    WHERE o.state = '{nameof(OutboxState.Pending)}'
                      AND (o.kind = ANY(@kinds)) <> @except
                      AND o.next <= @now
                      AND (o.lease_until IS NULL OR o.lease_until <= @now)
                      AND (o.recipient IS NULL OR NOT (o.recipient = ANY(@skip)))
                      AND NOT EXISTS (
                          SELECT 1 FROM outbox e
                          WHERE e.grp = o.grp AND e.id < o.id AND e.state = '{nameof(OutboxState.Pending)}' AND (e.kind = ANY(@kinds)) <> @except)
                    ORDER BY o.id
                    LIMIT @limit
                    FOR UPDATE OF o SKIP LOCKED)
                UPDATE outbox SET lease_owner = @owner, lease_until = @until
                FROM claimed WHERE outbox.id = claimed.id
                RETURNING {string.Join(", ", OutboxColumns.Split(", ").Select(c => "outbox." + c))}
                """, ToItem,
                ("kinds", kinds.ToArray()), ("except", except), ("now", now), ("owner", owner), ("until", now + lease), ("limit", limit),
                ("skip", skipRecipients.ToArray()))
            .OrderBy(i => i.Id)
            .ToList());
    }

    public void ReleaseOutbox(long id, DateTimeOffset next) =>
        Execute("UPDATE outbox SET next = @next, lease_owner = NULL, lease_until = NULL WHERE id = @id", ("id", id), ("next", next));

    public OutboxItem? GetOutbox(long id) => Query($"SELECT {OutboxColumns} FROM outbox WHERE id = @id", ToItem, ("id", id)).FirstOrDefault();

    public IReadOnlyList<OutboxItem> AllOutbox() => Query($"SELECT {OutboxColumns} FROM outbox ORDER BY id", ToItem);

    public int CountFailedOutbox() => (int)Scalar<long>($"SELECT count(*) FROM outbox WHERE state = '{nameof(OutboxState.Failed)}'");

    public void MarkDelivered(long id, DateTimeOffset at) =>
        Execute($"""
            UPDATE outbox SET state = '{nameof(OutboxState.Delivered)}', delivered = @at, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL
            WHERE id = @id
            """, ("id", id), ("at", at));

    public void MarkRetry(long id, DateTimeOffset next, string error) =>
        Execute("UPDATE outbox SET attempts = attempts + 1, next = @next, error = @error, lease_owner = NULL, lease_until = NULL WHERE id = @id",
            ("id", id), ("next", next), ("error", error));

    // Keeps the lease: the delivery it records is under way.
    public void MarkTryStarted(long id) => Execute("UPDATE outbox SET tries = tries + 1 WHERE id = @id", ("id", id));

    public void MarkDeferred(long id, DateTimeOffset next) =>
        Execute("UPDATE outbox SET next = @next, lease_owner = NULL, lease_until = NULL WHERE id = @id", ("id", id), ("next", next));

    public void MarkFailed(long id, string error) =>
        Execute($"""
            UPDATE outbox SET state = '{nameof(OutboxState.Failed)}', attempts = attempts + 1, error = @error, lease_owner = NULL, lease_until = NULL
            WHERE id = @id
            """, ("id", id), ("error", error));

    /// <summary>As LiteDB's: delivered messages older than <paramref name="before"/>, except those of instances still open.</summary>
    public (int Deleted, int Seen) PruneDelivered(DateTimeOffset before, int skip, int limit)
    {
        var counts = Query($"""
            WITH seen AS (
                SELECT id, state, instance FROM outbox WHERE delivered <= @before ORDER BY delivered, id OFFSET @skip LIMIT @limit),
            gone AS (
                DELETE FROM outbox o USING seen s
                WHERE o.id = s.id AND s.state = '{nameof(OutboxState.Delivered)}'
                  AND (s.instance IS NULL OR s.instance = ''
                       OR NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = s.instance AND i.state = 'Open'))
                RETURNING 1)
            SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM seen)
            """, r => ((int)r.GetInt64(0), (int)r.GetInt64(1)), ("before", before), ("skip", skip), ("limit", limit));
        return counts[0];
    }

    private static OutboxItem ToItem(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.GetString(5),
        Enum.Parse<OutboxState>(r.GetString(6)),
        r.GetInt32(7),
        Time(r, "next")!.Value,
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetInt32(10),
        r.IsDBNull(11) ? null : r.GetString(11));

    // ---- inbox -----------------------------------------------------------------------------------------------

    // Claims of the inbox take turns (a transaction-scoped advisory lock): a partition is judged free only against
    // committed leases, so two claims at once could otherwise split one person's requests between two hosts.
    private const long InboxClaimLock = 0x6F72636801;

    public bool TryRecordInbound(string key, string kind, string body, string? partition, DateTimeOffset at) =>
        Execute("INSERT INTO inbox (key, kind, body, part, received) VALUES (@key, @kind, @body, @part, @at) ON CONFLICT (key) DO NOTHING",
            ("key", key), ("kind", kind), ("body", body), ("part", partition), ("at", at)) == 1;

    public IReadOnlyList<InboundItem> ClaimInbound(string owner, DateTimeOffset now, TimeSpan lease, int limit)
    {
        if (limit <= 0) return [];
        return InTransaction(ambient =>
        {
            using (var turn = Command(ambient.Connection, ambient.Transaction, "SELECT pg_advisory_xact_lock(@lock)", ("lock", InboxClaimLock)))
                turn.ExecuteNonQuery();
            return Query(ambient.Connection, ambient.Transaction, """
                    WITH claimed AS (
                        SELECT i.key FROM inbox i
                        WHERE NOT i.done
                          AND NOT EXISTS (
                              SELECT 1 FROM inbox o
                              WHERE o.grp = i.grp AND NOT o.done AND o.lease_until > @now AND o.lease_owner <> @owner)
                        ORDER BY i.received, i.seq
                        LIMIT @limit
                        FOR UPDATE OF i SKIP LOCKED)
                    UPDATE inbox SET lease_owner = @owner, lease_until = @until
                    FROM claimed WHERE inbox.key = claimed.key
                    RETURNING inbox.key, inbox.kind, inbox.body, inbox.received, inbox.seq, inbox.part
                    """,
                    r => (Item: new InboundItem(r.GetString(0), r.GetString(1), r.GetString(2), Time(r, "received")!.Value, Text(r, "part")), Seq: r.GetInt64(4)),
                    ("now", now), ("owner", owner), ("until", now + lease), ("limit", limit))
                .OrderBy(c => c.Item.Received).ThenBy(c => c.Seq)
                .Select(c => c.Item)
                .ToList();
        });
    }

    /// <summary>
    /// In the batch's transaction when one runs: the request is done exactly when the work it caused commits. A request done
    /// already (by another host, which won) throws, so the batch rolls back this host's copy of the work.
    /// </summary>
    public void MarkInboundDone(string key)
    {
        var marked = Execute("UPDATE inbox SET done = true, lease_owner = NULL, lease_until = NULL WHERE key = @key AND NOT done", ("key", key));
        if (marked == 0 && IsInboundDone(key)) throw new InboundAlreadyDoneException(key);
    }

    public bool IsInboundDone(string key) => Scalar<bool>("SELECT done FROM inbox WHERE key = @key", ("key", key));

    public IReadOnlyList<InboundItem> UnprocessedInbound() =>
        Query("SELECT key, kind, body, received, part FROM inbox WHERE NOT done ORDER BY received, seq",
            r => new InboundItem(r.GetString(0), r.GetString(1), r.GetString(2), Time(r, "received")!.Value, Text(r, "part")));

    public int CountInbound() => (int)Scalar<long>("SELECT count(*) FROM inbox");

    public int PruneFinishedInbound(DateTimeOffset before, int limit) =>
        Execute("""
            DELETE FROM inbox WHERE key IN (
                SELECT key FROM inbox WHERE done AND received <= @before ORDER BY received, seq LIMIT @limit)
            """, ("before", before), ("limit", limit));
}
