using LiteDB;
using Microsoft.Bot.Schema;
using Newtonsoft.Json;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Teams;

/// <summary>What the bot knows about one Teams user: who they are and how to reach them proactively.</summary>
internal sealed record TeamsMember(
    string UserId,
    string? AadObjectId,
    string? Email,
    string? TenantId,
    string ServiceUrl,
    ConversationReference? Personal);

/// <summary>
/// Teams users and their conversation references, in the store's LiteDB file so that a restart loses nobody.
/// Keyed by the Teams user id, with the email and AAD object id indexed for both directions of lookup.
/// </summary>
internal sealed class TeamsConversations
{
    private readonly ILiteCollection<BsonDocument> _members;
    private readonly Lock _gate = new();

    public TeamsConversations(LiteDbStore store)
    {
        _members = store.Database.GetCollection("teams_members");
        _members.EnsureIndex("email");
        _members.EnsureIndex("aad");
    }

    /// <summary>
    /// Records a user seen in <paramref name="reference"/>'s conversation. Only a personal (1:1) conversation replaces the
    /// stored reference: a channel message must not redirect someone's cards into that channel.
    /// </summary>
    public void Save(string userId, string? aadObjectId, string? email, string? tenantId, ConversationReference reference, bool personal)
    {
        lock (_gate)
        {
            var doc = _members.FindById(userId) ?? new BsonDocument { ["_id"] = userId };
            if (!string.IsNullOrEmpty(aadObjectId)) doc["aad"] = aadObjectId;
            if (!string.IsNullOrEmpty(email)) doc["email"] = email.ToLowerInvariant();
            if (!string.IsNullOrEmpty(tenantId)) doc["tenant"] = tenantId;
            doc["serviceUrl"] = reference.ServiceUrl;
            if (personal) doc["personal"] = JsonConvert.SerializeObject(reference);
            _members.Upsert(doc);
        }
    }

    public TeamsMember? FindByEmail(string email) =>
        _members.FindOne(Query.EQ("email", email.Trim().ToLowerInvariant())) is { } d ? ToMember(d) : null;

    public TeamsMember? FindByAadObjectId(string aadObjectId) =>
        _members.FindOne(Query.EQ("aad", aadObjectId)) is { } d ? ToMember(d) : null;

    public TeamsMember? FindByUserId(string userId) => _members.FindById(userId) is { } d ? ToMember(d) : null;

    private static TeamsMember ToMember(BsonDocument d) => new(
        d["_id"].AsString,
        Text(d, "aad"),
        Text(d, "email"),
        Text(d, "tenant"),
        d["serviceUrl"].AsString,
        Text(d, "personal") is { } json ? JsonConvert.DeserializeObject<ConversationReference>(json) : null);

    private static string? Text(BsonDocument d, string key) => d.TryGetValue(key, out var v) && v.IsString ? v.AsString : null;
}
