using System.Collections.Concurrent;
using LiteDB;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Storage;

// The ports the one LiteDB file serves besides instances, outbox and inbox: Teams members, where cards went, API keys,
// the audit trail, and the cluster, which for one process is this process.
internal sealed partial class LiteDbStore
{
    private ILiteCollection<BsonDocument> TeamsMembers => _teamsMembers ??= OpenTeamsMembers();
    private ILiteCollection<BsonDocument>? _teamsMembers;

    private ILiteCollection<BsonDocument> OpenTeamsMembers()
    {
        var members = _db.GetCollection("teams_members");
        members.EnsureIndex("email");
        members.EnsureIndex("aad");
        return members;
    }

    // ---- Teams members ---------------------------------------------------------------------------------------

    public void SaveTeamsMember(string userId, string? aadObjectId, string? email, string? tenantId, string serviceUrl, string? personal)
    {
        lock (_gate)
        {
            var doc = TeamsMembers.FindById(userId) ?? new BsonDocument { ["_id"] = userId };
            if (!string.IsNullOrEmpty(aadObjectId)) doc["aad"] = aadObjectId;
            if (!string.IsNullOrEmpty(email)) doc["email"] = email.ToLowerInvariant();
            if (!string.IsNullOrEmpty(tenantId)) doc["tenant"] = tenantId;
            doc["serviceUrl"] = serviceUrl;
            if (personal is not null) doc["personal"] = personal;
            TeamsMembers.Upsert(doc);
        }
    }

    public TeamsMemberRecord? TeamsMemberByUserId(string userId) => TeamsMembers.FindById(userId) is { } d ? ToMember(d) : null;

    public TeamsMemberRecord? TeamsMemberByEmail(string email) =>
        TeamsMembers.FindOne(Query.EQ("email", email.Trim().ToLowerInvariant())) is { } d ? ToMember(d) : null;

    public TeamsMemberRecord? TeamsMemberByAadObjectId(string aadObjectId) =>
        TeamsMembers.FindOne(Query.EQ("aad", aadObjectId)) is { } d ? ToMember(d) : null;

    private static TeamsMemberRecord ToMember(BsonDocument d) =>
        new(d["_id"].AsString, Text(d, "aad"), Text(d, "email"), Text(d, "tenant"), d["serviceUrl"].AsString, Text(d, "personal"));

    private static string? Text(BsonDocument d, string key) => d.TryGetValue(key, out var v) && v.IsString ? v.AsString : null;

    // ---- the platform each person last spoke on ---------------------------------------------------------------

    public void SaveLastSpoke(string email, string platform)
    {
        lock (_gate) _db.GetCollection("last_spoke").Upsert(new BsonDocument { ["_id"] = email.Trim().ToLowerInvariant(), ["platform"] = platform });
    }

    public string? LastSpoke(string email) =>
        _db.GetCollection("last_spoke").FindById(email.Trim().ToLowerInvariant()) is { } d ? d["platform"].AsString : null;

    // ---- API keys ----------------------------------------------------------------------------------------------

    private ILiteCollection<BsonDocument> ApiKeys => _db.GetCollection("apikeys");

    public bool InsertApiKey(ApiKeyRow row)
    {
        lock (_gate)
        {
            var keys = ApiKeys;
            keys.EnsureIndex("hash", unique: true);
            if (keys.FindById(row.Name) is not null) return false;
            keys.Insert(new BsonDocument
            {
                ["_id"] = row.Name,
                ["hash"] = row.Hash,
                ["system"] = row.System,
                ["created"] = row.Created.UtcDateTime,
                ["last_used"] = row.LastUsed is { } used ? used.UtcDateTime : BsonValue.Null,
                ["revoked"] = row.Revoked is { } revoked ? revoked.UtcDateTime : BsonValue.Null,
            });
            return true;
        }
    }

    public ApiKeyRow? ApiKeyByName(string name) => ApiKeys.FindById(name) is { } d ? ToKey(d) : null;

    public ApiKeyRow? ApiKeyByHash(string hash) => ApiKeys.FindOne(Query.EQ("hash", hash)) is { } d ? ToKey(d) : null;

    public IReadOnlyList<ApiKeyRow> AllApiKeys() => ApiKeys.FindAll().Select(ToKey).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();

    public bool RevokeApiKey(string name, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (ApiKeys.FindById(name) is not { } doc || !doc["revoked"].IsNull) return false;
            doc["revoked"] = at.UtcDateTime;
            return ApiKeys.Update(doc);
        }
    }

    public void TouchApiKey(string name, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (ApiKeys.FindById(name) is not { } doc) return;
            doc["last_used"] = at.UtcDateTime;
            ApiKeys.Update(doc);
        }
    }

    private static ApiKeyRow ToKey(BsonDocument d) =>
        new(d["_id"].AsString, d["hash"].AsString, d["system"] is { IsString: true } s ? s.AsString : null,
            Date(d["created"]) ?? DateTimeOffset.MinValue, Date(d["last_used"]), Date(d["revoked"]));

    private static DateTimeOffset? Date(BsonValue v) => v.IsDateTime ? new DateTimeOffset(DateTime.SpecifyKind(v.AsDateTime, DateTimeKind.Utc)) : null;

    // ---- audit ------------------------------------------------------------------------------------------------

    public AuditReport VerifyAudit(byte[]? key) => AuditChain.Verify(_db, key);

    public IEnumerable<AuditEntry> AllAudit() => AuditChain.All(_db);

    // ---- the cluster of one ---------------------------------------------------------------------------------------

    private readonly ConcurrentDictionary<string, byte> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _channelSlots = new(StringComparer.OrdinalIgnoreCase);

    public event Action<string, string>? Signal;

    public IDisposable? TryLock(string name) => _locks.TryAdd(name, 0) ? new Release(() => _locks.TryRemove(name, out _)) : null;

    public void Publish(string topic, string payload = "") => Signal?.Invoke(topic, payload);

    public TimeSpan? TryTakeChannelSlot(string channel, DateTimeOffset now, TimeSpan pace)
    {
        lock (_channelSlots)
        {
            if (_channelSlots.TryGetValue(channel, out var last) && now - last < pace) return pace - (now - last);
            _channelSlots[channel] = now;
            return null;
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) release();
        }
    }

    // ---- what the store is ------------------------------------------------------------------------------------

    public string Provider => "litedb";

    public string Location => Path;

    public string? Problem() => null;

    public IDelegationStore Delegations => _delegations ??= new LiteDbDelegationStore(this);
    private IDelegationStore? _delegations;
}
