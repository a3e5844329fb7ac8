using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;

namespace Orchestrator.Host.Storage;

// The storage boundary: one small port per consumer. LiteDB (Storage/LiteDbStore) and PostgreSQL (Storage/Postgres)
// implement every one of them; nothing outside Storage/ names either, and no class outside takes a concrete store.
// Ports are synchronous like the engine that calls them; a provider may block on its own I/O.

/// <summary>
/// Instances as the host sees them: the engine's port (<see cref="IInstanceStore"/>: get, number, insert, commit with the
/// revision check) plus the queries and the batching the host's jobs need.
/// </summary>
internal interface IInstances : IInstanceStore
{
    /// <summary>Raised after each committed change of an instance, with the history events it added (for metrics and logs).</summary>
    event Action<InstanceChange>? Committed;

    /// <summary>
    /// Runs <paramref name="work"/> (many changes: one scheduler tick's, or a request's work and its done mark) in one
    /// transaction. Nested calls join the outer one. A failure inside rolls everything back and rethrows
    /// (<see cref="BatchAbortedException"/> when an instance could not be saved).
    /// </summary>
    void Batch(Action work);

    /// <summary>Sets an instance aside after a failure outside the store (the scheduler's), so an admin sees it.</summary>
    void SetAside(string instanceId, string? stepId, string what, string error);

    /// <summary>A page of instances, filtered by state and workflow, in id order after <paramref name="after"/>.</summary>
    IReadOnlyList<WorkflowInstance> ListInstances(string? state, string? workflow, string? after, int limit);

    int CountInstances();

    /// <summary>Open instances whose current step is past its deadline.</summary>
    IReadOnlyList<WorkflowInstance> Overdue(DateTimeOffset now);

    /// <summary>Open instances whose current step has nobody to hold it.</summary>
    IReadOnlyList<WorkflowInstance> Unowned();

    /// <summary>Ids of instances with something due by <paramref name="now"/>, earliest first.</summary>
    IReadOnlyList<string> DueInstanceIds(DateTimeOffset now, int limit);

    /// <summary>Every effect an instance's changes caused, oldest first (a channel re-draws a card from its latest state).</summary>
    IReadOnlyList<Effect> EffectsOf(string instanceId);

    /// <summary>How many definition versions are stored (each once, however many instances refer to it).</summary>
    int CountDefinitionVersions();
}

/// <summary>
/// Messages to send (Slack and Teams calls, webhooks), written with the change that caused them. Hosts <em>claim</em>
/// work: a claimed message is leased to one host until it records the outcome or the lease runs out (the host died), so
/// each message is delivered by one host at a time, and only the first pending message of an instance (or of a key, for
/// messages of no instance) can be claimed: order per instance holds across hosts.
/// </summary>
internal interface IOutbox
{
    /// <summary>Raised after a commit that added outbox messages, so the dispatcher starts at once.</summary>
    event Action? OutboxChanged;

    /// <summary>
    /// Decides, when an effect is committed, which chat platform delivers it (kept with the message, so every host and every
    /// retry sends it the same way). Set once by the host's router; unset, or null from it, leaves delivery to decide.
    /// </summary>
    Func<Effect, string?>? RouteEffects { get; set; }

    /// <summary>Adds a message unless one with the same key exists; true when added.</summary>
    bool Enqueue(string kind, string key, string? instanceId, string? recipient, string payload);

    /// <summary>
    /// Leases to <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/> up to <paramref name="limit"/>
    /// messages of the lane (those of <paramref name="kinds"/>, or with <paramref name="except"/> all others) that may go now:
    /// pending, due, not leased (to anyone), first pending of their instance, and not to one of <paramref name="skipRecipients"/>
    /// (those the caller is busy with, or must pace). In the order they were written.
    /// </summary>
    IReadOnlyList<OutboxItem> ClaimOutbox(IReadOnlyCollection<string> kinds, bool except, string owner, DateTimeOffset now, TimeSpan lease, int limit,
        IReadOnlyCollection<string> skipRecipients);

    /// <summary>Gives a claimed message back untried, due at <paramref name="next"/>.</summary>
    void ReleaseOutbox(long id, DateTimeOffset next);

    OutboxItem? GetOutbox(long id);

    IReadOnlyList<OutboxItem> AllOutbox();

    int CountFailedOutbox();

    void MarkDelivered(long id, DateTimeOffset at);

    void MarkRetry(long id, DateTimeOffset next, string error);

    /// <summary>Records, before a call that posts, that a try began (the next try then looks for the post first).</summary>
    void MarkTryStarted(long id);

    /// <summary>Not now and not a failure: due again at <paramref name="next"/>, without using up an attempt.</summary>
    void MarkDeferred(long id, DateTimeOffset next);

    void MarkFailed(long id, string error);

    /// <summary>Deletes delivered messages older than <paramref name="before"/> no longer needed; see <see cref="LiteDbStore.PruneDelivered"/>.</summary>
    (int Deleted, int Seen) PruneDelivered(DateTimeOffset before, int skip, int limit);
}

/// <summary>
/// Verified inbound requests (Slack), recorded once before they are acknowledged, then claimed and processed. A request's
/// done mark is written in the same transaction (<see cref="IInstances.Batch"/>) as the work it caused.
/// </summary>
internal interface IInbox
{
    /// <summary>Records a request once; false when the same key was recorded before (a retry or a repeat).</summary>
    /// <param name="partition">Requests of one partition (a person) are processed one at a time, in the order they came.</param>
    bool TryRecordInbound(string key, string kind, string body, string? partition, DateTimeOffset at);

    /// <summary>
    /// Leases to <paramref name="owner"/> up to <paramref name="limit"/> requests not done yet, in the order they came, skipping
    /// every partition that has a request leased to another host (those leased to <paramref name="owner"/> itself come again,
    /// their lease renewed). A request without a partition is a partition of its own.
    /// </summary>
    IReadOnlyList<InboundItem> ClaimInbound(string owner, DateTimeOffset now, TimeSpan lease, int limit);

    /// <summary>
    /// Marks a request done; inside a batch, in the batch's transaction. Throws <see cref="InboundAlreadyDoneException"/>
    /// when it was done already (another host did the work): the batch then rolls back what this one did.
    /// </summary>
    void MarkInboundDone(string key);

    bool IsInboundDone(string key);

    /// <summary>Requests not done yet, in the order they came (what an admin or a check looks at; work is claimed).</summary>
    IReadOnlyList<InboundItem> UnprocessedInbound();

    int CountInbound();

    /// <summary>Deletes up to <paramref name="limit"/> finished requests received before <paramref name="before"/>.</summary>
    int PruneFinishedInbound(DateTimeOffset before, int limit);
}

/// <summary>People's Slack identities: user id, zone, DM channel, whether they opened App Home.</summary>
internal interface ISlackIdentities
{
    string? SlackUserOf(string email);

    (string Email, string? TimeZone)? EmailOfSlackUser(string userId);

    /// <summary>The person a Slack user id belongs to, and when Slack last confirmed it.</summary>
    (string Email, string? TimeZone, DateTimeOffset? Seen)? SlackIdentityOf(string userId);

    string? SlackDirectChannelOf(string email);

    void SaveSlackDirectChannel(string email, string channel);

    string? SlackTimeZoneOf(string email);

    void MarkHomeOpened(string email);

    bool HomeOpened(string email);

    /// <summary>Remembers what Slack said about a user; an id that moved to another email leaves the old one.</summary>
    void SaveSlackIdentity(string email, string userId, string? timeZone, DateTimeOffset seen);
}

/// <summary>A Teams user as stored; <see cref="Personal"/> is the 1:1 conversation reference as Bot Framework JSON.</summary>
internal sealed record TeamsMemberRecord(string UserId, string? AadObjectId, string? Email, string? TenantId, string ServiceUrl, string? Personal);

/// <summary>Teams users and their conversation references (as opaque JSON: the store knows nothing of Bot Framework).</summary>
internal interface ITeamsMembers
{
    /// <summary>Records a user; null fields keep what was stored; <paramref name="personal"/> null keeps the stored reference.</summary>
    void SaveTeamsMember(string userId, string? aadObjectId, string? email, string? tenantId, string serviceUrl, string? personal);

    TeamsMemberRecord? TeamsMemberByUserId(string userId);

    TeamsMemberRecord? TeamsMemberByEmail(string email);

    TeamsMemberRecord? TeamsMemberByAadObjectId(string aadObjectId);
}

/// <summary>Where each card was posted, and the platform each person last spoke to the bot on.</summary>
internal interface ICards
{
    void SaveCard(string instanceId, string assignmentId, string platform, string channel, string messageId);

    PostedCard? FindCard(string instanceId, string assignmentId);

    void SaveLastSpoke(string email, string platform);

    string? LastSpoke(string email);
}

/// <summary>One digest per person per local day, across every host.</summary>
internal interface IDigestMarks
{
    /// <summary>Records that a digest went to a person for a local date; false when one already did.</summary>
    bool TryMarkDigest(string email, DateOnly localDate);
}

/// <summary>API keys as stored: only the SHA-256 of each key.</summary>
internal sealed record ApiKeyRow(string Name, string Hash, string? System, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? Revoked);

internal interface IApiKeyRows
{
    /// <summary>Adds a key; false when one of that name exists.</summary>
    bool InsertApiKey(ApiKeyRow row);

    ApiKeyRow? ApiKeyByName(string name);

    ApiKeyRow? ApiKeyByHash(string hash);

    IReadOnlyList<ApiKeyRow> AllApiKeys();

    /// <summary>Sets the revocation time of a key not revoked yet; false when there is none such.</summary>
    bool RevokeApiKey(string name, DateTimeOffset at);

    void TouchApiKey(string name, DateTimeOffset at);
}

/// <summary>The audit trail: read one instance's, verify all, export.</summary>
internal interface IAuditTrail
{
    /// <summary>The audit trail of one instance, oldest first, each event with its hash and the previous one's.</summary>
    IReadOnlyList<AuditEntry> AuditOf(string instanceId);

    /// <summary>Every chain checked link by link and against each instance's own history.</summary>
    AuditReport VerifyAudit(byte[]? key);

    /// <summary>Every event, by instance then sequence.</summary>
    IEnumerable<AuditEntry> AllAudit();
}

/// <summary>
/// What several hosts share besides data: locks for work that must run once cluster-wide (a tick, retention), signals that
/// reach every host (an admin's reload, new work), and Slack's per-channel pace. One process (LiteDB) keeps them in memory.
/// </summary>
internal interface ICluster
{
    /// <summary>Takes the named lock if no host holds it; null when one does. Dispose to release it.</summary>
    IDisposable? TryLock(string name);

    /// <summary>Sends a signal to every host, this one included.</summary>
    void Publish(string topic, string payload = "");

    /// <summary>Raised for each signal, from any host.</summary>
    event Action<string, string>? Signal;

    /// <summary>
    /// Takes the next slot of <paramref name="channel"/> if its last one is at least <paramref name="pace"/> old, and returns
    /// null; otherwise returns how long to wait.
    /// </summary>
    TimeSpan? TryTakeChannelSlot(string channel, DateTimeOffset now, TimeSpan pace);
}

/// <summary>What the store is, for the home page, /readyz and the logs.</summary>
internal interface IStoreInfo
{
    /// <summary>"litedb" or "postgres".</summary>
    string Provider { get; }

    /// <summary>Where: the file's full path, or the server and database (never a password).</summary>
    string Location { get; }

    /// <summary>Null when the store answers; otherwise why not (for /readyz).</summary>
    string? Problem();
}

/// <summary>The whole store: every port, as one provider implements them.</summary>
internal interface IStore : IInstances, IOutbox, IInbox, ISlackIdentities, ITeamsMembers, ICards, IDigestMarks, IApiKeyRows,
    IAuditTrail, ICluster, IStoreInfo, IDisposable
{
    /// <summary>Delegations, one per delegating person (the engine's port).</summary>
    IDelegationStore Delegations { get; }
}

/// <summary>How a store asks the host's router for an effect's platform as it commits it.</summary>
internal static class OutboxRouting
{
    /// <summary>The platform the router picks now; a router that fails leaves the choice to delivery rather than fail the commit.</summary>
    public static string? Route(Func<Effect, string?>? router, Effect effect)
    {
        try
        {
            return router?.Invoke(effect);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }
}

/// <summary>A request was done already, by another host: what this one did for it is rolled back.</summary>
internal sealed class InboundAlreadyDoneException(string key) : Exception($"Inbound request {key} was already done")
{
    public string Key { get; } = key;
}
