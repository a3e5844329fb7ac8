using System.Collections.Concurrent;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>
/// Slack user id ↔ email (users.info, users.lookupByEmail) and each person's DM channel (conversations.open), remembered in
/// the store so that Slack is asked once per person, not once per command or message.
/// </summary>
internal sealed class SlackPeople(ISlackApi slack, ISlackIdentities store, TimeProvider time)
{
    /// <summary>How long what users.info said is trusted before Slack is asked again (a person's email can change).</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromHours(24);

    /// <summary>How long an unknown user id is remembered as unknown, so that repeating it costs no further call.</summary>
    public static readonly TimeSpan UnknownFor = TimeSpan.FromMinutes(5);

    private const int MaxUnknown = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);

    public async Task<(string Email, string? TimeZone)?> EmailOfAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var known = store.SlackIdentityOf(userId);
        if (known is { Seen: { } seen } && now - seen < Fresh) return (known.Value.Email, known.Value.TimeZone);
        if (known is null && _unknown.TryGetValue(userId, out var until) && until > now) return null;

        SlackUser user;
        try
        {
            user = await slack.UserInfo(userId, cancellationToken);
        }
        catch (SlackApiException e) when (e.Transient && known is not null)
        {
            // Slack is away: what it said before is better than holding the request up.
            return (known.Value.Email, known.Value.TimeZone);
        }
        catch (SlackApiException e) when (e.Error is "user_not_found")
        {
            Remember(userId, now);
            return null;
        }
        if (string.IsNullOrWhiteSpace(user.Email))
        {
            Remember(userId, now);
            return null;
        }
        store.SaveSlackIdentity(user.Email, user.Id, user.Tz, now);
        _unknown.TryRemove(userId, out _);
        return (user.Email.ToLowerInvariant(), user.Tz);
    }

    public async Task<string?> UserIdOfAsync(string email, CancellationToken cancellationToken)
    {
        if (store.SlackUserOf(email) is { } known) return known;
        var user = await slack.LookupByEmail(email, cancellationToken);
        if (user is null) return null;
        store.SaveSlackIdentity(email, user.Id, user.Tz, time.GetUtcNow());
        return user.Id;
    }

    /// <summary>The bot's DM channel with a person: opened once, then taken from the store.</summary>
    public async Task<string?> DirectChannelAsync(string email, CancellationToken cancellationToken)
    {
        if (store.SlackDirectChannelOf(email) is { } known) return known;
        if (await UserIdOfAsync(email, cancellationToken) is not { } userId) return null;
        var channel = await slack.OpenDirectMessage(userId, cancellationToken);
        store.SaveSlackDirectChannel(email, channel);
        return channel;
    }

    private void Remember(string userId, DateTimeOffset now)
    {
        // Ids come from what people type; a flood of made-up ones must not grow this without end.
        if (_unknown.Count >= MaxUnknown) _unknown.Clear();
        _unknown[userId] = now + UnknownFor;
    }
}
