using Microsoft.Extensions.Options;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Delivery;

/// <summary>
/// Decides which chat platform delivers an effect to its recipient: where <c>prefers</c> says if that platform is on and
/// can reach them, else where they last spoke to the bot, else Slack when it is on, else Teams if it can reach them, else
/// none (the effect then fails at once and surfaces to the admins; a platform that is off is never tried).
/// A card update goes wherever the card was posted.
/// </summary>
internal sealed class ChannelRouter
{
    public const string Slack = SlackOutboxHandler.Platform;
    public const string Teams = TeamsOutboxHandler.Platform;

    private readonly Catalog _catalog;
    private readonly ICards _store;
    private readonly SlackOptions _slack;
    private readonly TeamsConversations? _teams;

    public ChannelRouter(Catalog catalog, ICards store, IOptions<SlackOptions> slack, TeamsConversations? teams = null, IOutbox? outbox = null)
    {
        _catalog = catalog;
        _store = store;
        _slack = slack.Value;
        _teams = teams;
        // Each effect's platform is decided as it is committed, and delivery on any host follows it.
        if (outbox is not null) outbox.RouteEffects = PlatformFor;
    }

    private bool SlackOn => !string.IsNullOrEmpty(_slack.BotToken) && !string.IsNullOrEmpty(_slack.SigningSecret);

    /// <summary>Remembers the platform a person last used to talk to the bot.</summary>
    public void Spoke(string email, string platform) => _store.SaveLastSpoke(email, platform);

    public string? LastSpoke(string email) => _store.LastSpoke(email);

    /// <summary>The platform for an outbox effect, or null when no platform can reach its recipient.</summary>
    public string? PlatformFor(OutboxItem item)
    {
        if (item.Kind != OutboxKinds.Effect) return null;
        // Decided when committed, on a platform still on: kept, so no retry or other host sends it elsewhere.
        if (item.Platform is { } decided && IsOn(decided)) return decided;
        return PlatformFor(System.Text.Json.JsonSerializer.Deserialize<Effect>(item.Payload, StoreJson.Options)!);
    }

    /// <summary>The platform for an effect now: a card update goes where its card was posted, anything else to its recipient.</summary>
    public string? PlatformFor(Effect effect) =>
        effect is UpdateCard update && _store.FindCard(update.InstanceId, update.Card.AssignmentId) is { } posted
            ? posted.Platform
            : PlatformFor(effect.Recipient);

    private bool IsOn(string platform) => platform switch
    {
        Slack => SlackOn,
        Teams => _teams is not null,
        _ => false,
    };

    public string? PlatformFor(string email)
    {
        var preferred = _catalog.People.Find(email)?.Prefers switch
        {
            Platform.Slack => Slack,
            Platform.Teams => Teams,
            _ => null,
        };
        if (preferred is not null && CanReach(preferred, email)) return preferred;
        if (LastSpoke(email) is { } last && CanReach(last, email)) return last;
        if (SlackOn) return Slack;
        return CanReach(Teams, email) ? Teams : null;
    }

    /// <summary>Whether no platform that is on can take this effect; cheap while Slack is on, which takes whatever Teams cannot.</summary>
    public bool Unroutable(OutboxItem item) => !SlackOn && item.Kind == OutboxKinds.Effect && PlatformFor(item) is null;

    /// <summary>Why no platform that is on can reach this person (Slack is then off), for the admins who must act on it.</summary>
    public string Unreachable(string? email) =>
        $"no chat platform that is on can reach {email ?? "the recipient"}: Slack is not configured"
        + (_teams is null ? "" : ", and they have not installed the app in Teams or written to the bot there");

    // Slack reachability is only known after a users.lookupByEmail call, so a configured Slack counts as reachable.
    private bool CanReach(string platform, string email) => platform switch
    {
        Slack => SlackOn,
        Teams => _teams?.FindByEmail(email) is not null,
        _ => false,
    };
}

/// <summary>
/// Takes the effects that no platform that is on can deliver and fails them at once with the reason, so that they surface
/// to the admins (<c>admin stuck</c>) instead of being retried against a platform that is off.
/// </summary>
internal sealed class UnreachableOutboxHandler(ChannelRouter router) : IOutboxHandler
{
    public bool CanHandle(OutboxItem item) => router.Unroutable(item);

    public Task HandleAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        // A card that was never posted (its delivery failed) has nothing to update, as on every platform.
        if (System.Text.Json.JsonSerializer.Deserialize<Effect>(item.Payload, StoreJson.Options) is UpdateCard) return Task.CompletedTask;
        return Task.FromException(new DeliveryException(router.Unreachable(item.Recipient), transient: false));
    }
}
