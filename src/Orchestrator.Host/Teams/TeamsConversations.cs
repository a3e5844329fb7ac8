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
/// Teams users and their conversation references, in the store so that a restart (or another host) loses nobody.
/// Keyed by the Teams user id, with the email and AAD object id for both directions of lookup.
/// </summary>
internal sealed class TeamsConversations(ITeamsMembers store)
{
    /// <summary>
    /// Records a user seen in <paramref name="reference"/>'s conversation. Only a personal (1:1) conversation replaces the
    /// stored reference: a channel message must not redirect someone's cards into that channel.
    /// </summary>
    public void Save(string userId, string? aadObjectId, string? email, string? tenantId, ConversationReference reference, bool personal) =>
        store.SaveTeamsMember(userId, aadObjectId, email, tenantId, reference.ServiceUrl, personal ? JsonConvert.SerializeObject(reference) : null);

    public TeamsMember? FindByEmail(string email) => ToMember(store.TeamsMemberByEmail(email));

    public TeamsMember? FindByAadObjectId(string aadObjectId) => ToMember(store.TeamsMemberByAadObjectId(aadObjectId));

    public TeamsMember? FindByUserId(string userId) => ToMember(store.TeamsMemberByUserId(userId));

    private static TeamsMember? ToMember(TeamsMemberRecord? r) => r is null
        ? null
        : new(r.UserId, r.AadObjectId, r.Email, r.TenantId, r.ServiceUrl,
            r.Personal is { } json ? JsonConvert.DeserializeObject<ConversationReference>(json) : null);
}
