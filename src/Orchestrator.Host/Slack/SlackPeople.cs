using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>Slack user id ↔ email, through users.info and users.lookupByEmail, remembered in the store.</summary>
internal sealed class SlackPeople(ISlackApi slack, LiteDbStore store)
{
    public async Task<(string Email, string? TimeZone)?> EmailOfAsync(string userId, CancellationToken cancellationToken)
    {
        if (store.EmailOfSlackUser(userId) is { } known) return known;
        var user = await slack.UserInfo(userId, cancellationToken);
        if (string.IsNullOrWhiteSpace(user.Email)) return null;
        store.SaveSlackIdentity(user.Email, user.Id, user.Tz);
        return (user.Email.ToLowerInvariant(), user.Tz);
    }

    public async Task<string?> UserIdOfAsync(string email, CancellationToken cancellationToken)
    {
        if (store.SlackUserOf(email) is { } known) return known;
        var user = await slack.LookupByEmail(email, cancellationToken);
        if (user is null) return null;
        store.SaveSlackIdentity(email, user.Id, user.Tz);
        return user.Id;
    }
}
