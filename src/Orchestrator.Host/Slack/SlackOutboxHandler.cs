using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using System.Text.Json.Nodes;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Delivery;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>A reply through a slash command's or an interaction's response_url.</summary>
internal sealed record SlackRespondMessage(string ResponseUrl, string Text);

/// <summary>A modal to open for a trigger (reject reason, start form).</summary>
internal sealed record SlackOpenViewMessage(string TriggerId, string ViewJson);

/// <summary>Delivers outbox messages to Slack: cards into DMs, updates in place, notes and replies.</summary>
internal sealed class SlackOutboxHandler(
    ISlackApi slack,
    SlackPeople people,
    IStore store,
    Catalog catalog,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ChannelRouter router) : IOutboxHandler
{
    public const string Platform = "slack";
    private const string EffectEventType = "orchestrator_effect";

    public bool CanHandle(OutboxItem item) => item.Kind is OutboxKinds.SlackRespond or OutboxKinds.SlackOpenView or OutboxKinds.SlackHome
        || (item.Kind is OutboxKinds.Effect && router.PlatformFor(item) == Platform);

    public async Task HandleAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            switch (item.Kind)
            {
                case OutboxKinds.SlackRespond:
                    var reply = JsonSerializer.Deserialize<SlackRespondMessage>(item.Payload, StoreJson.Options)!;
                    await slack.Respond(new Uri(reply.ResponseUrl), reply.Text, null, SlackResponseType.Ephemeral, replaceOriginal: false, cancellationToken);
                    break;
                case OutboxKinds.SlackOpenView:
                    var open = JsonSerializer.Deserialize<SlackOpenViewMessage>(item.Payload, StoreJson.Options)!;
                    await slack.OpenView(open.TriggerId, JsonSerializer.Deserialize<ModalView>(open.ViewJson, SlackJson.Options)!, cancellationToken);
                    break;
                case OutboxKinds.SlackHome:
                    var home = JsonSerializer.Deserialize<SlackHome.PublishHomeMessage>(item.Payload, StoreJson.Options)!;
                    await PublishHomeAsync(home.Email, cancellationToken);
                    break;
                default:
                    var effect = JsonSerializer.Deserialize<Effect>(item.Payload, StoreJson.Options)!;
                    await DeliverEffectAsync(item, effect, cancellationToken);
                    // What changed for this person shows on their App Home too, once they have opened it.
                    if (store.HomeOpened(effect.Recipient)) SlackHome.Queue(store, effect.Recipient, $"home:{item.Key}");
                    break;
            }
        }
        catch (SlackRateLimitedException ex)
        {
            throw new DeliveryException(ex.Message, transient: true, ex.RetryAfter, ex);
        }
        catch (SlackApiException ex)
        {
            throw new DeliveryException(ex.Message, ex.Transient, inner: ex);
        }
    }

    private async Task DeliverEffectAsync(OutboxItem item, Effect effect, CancellationToken cancellationToken)
    {
        var zone = catalog.People.ZoneOf(effect.Recipient);
        switch (effect)
        {
            case AskDecision ask:
            {
                var channel = await DirectMessageChannelAsync(effect.Recipient, cancellationToken);
                var (text, blocks) = SlackCards.Render(ask.Card, zone);
                SlackMessageRef posted;
                try
                {
                    posted = await Post(item, new SlackMessage(channel, text, blocks, Metadata: Metadata(item)), cancellationToken);
                }
                catch (SlackApiException ex) when (RefusedAsInvalid(ex))
                {
                    (text, blocks) = SlackCards.Minimal(ask.Card);
                    // The refused post never landed: the slot it took in the channel's pace is this one's.
                    posted = await Post(item, new SlackMessage(channel, text, blocks, Metadata: Metadata(item)), cancellationToken, paced: false);
                }
                store.SaveCard(ask.InstanceId, ask.Card.AssignmentId, Platform, posted.Channel, posted.Ts);
                break;
            }
            case UpdateCard update:
            {
                // A card that was never posted (its delivery failed for good) has nothing to update.
                if (store.FindCard(update.InstanceId, update.Card.AssignmentId) is not { Platform: Platform } card) return;
                var (text, blocks) = SlackCards.Render(update.Card, zone);
                try
                {
                    await slack.UpdateMessage(card.Channel, card.MessageId, text, blocks, cancellationToken);
                }
                catch (SlackApiException ex) when (RefusedAsInvalid(ex))
                {
                    // Never leave live buttons on a card whose step has moved on because the new card did not fit.
                    (text, blocks) = SlackCards.Minimal(update.Card);
                    await slack.UpdateMessage(card.Channel, card.MessageId, text, blocks, cancellationToken);
                }
                break;
            }
            case RemindPerson remind:
            {
                // A nudge is a reply in the card's thread, so it points at the card instead of being a second one.
                if (store.FindCard(remind.InstanceId, remind.AssignmentId) is { Platform: Platform } card)
                {
                    await Post(item, new SlackMessage(card.Channel, remind.Text, ThreadTs: card.MessageId, Metadata: Metadata(item)), cancellationToken);
                    break;
                }
                var channel = await DirectMessageChannelAsync(effect.Recipient, cancellationToken);
                await Post(item, new SlackMessage(channel, remind.Text, Metadata: Metadata(item)), cancellationToken);
                break;
            }
            case NotifyPerson note:
            {
                var channel = await DirectMessageChannelAsync(effect.Recipient, cancellationToken);
                await Post(item, new SlackMessage(channel, note.Text, Metadata: Metadata(item)), cancellationToken);
                break;
            }
        }
    }

    /// <summary>
    /// Posts once: when an earlier try began (it may have landed before a crash or a timeout hid the answer), the channel
    /// is searched for a message carrying this outbox key first. Posts keep Slack's pace: a second message into the same
    /// channel within the pace waits, without counting as a failure.
    /// </summary>
    private async Task<SlackMessageRef> Post(OutboxItem item, SlackMessage message, CancellationToken cancellationToken, bool paced = true)
    {
        if (item.TriesStarted > 0
            && await slack.FindMessageByKey(message.Channel, message.ThreadTs, EffectEventType, item.Key, cancellationToken) is { } landed)
            return landed;
        // The channel's pace holds across every host sharing the store.
        if (paced && store.TryTakeChannelSlot(message.Channel, time.GetUtcNow(), options.Value.ChannelPace) is { } wait)
            throw new DeliveryDeferredException(wait);
        store.MarkTryStarted(item.Id);
        return await slack.PostMessage(message, cancellationToken);
    }

    private async Task PublishHomeAsync(string email, CancellationToken cancellationToken)
    {
        var userId = await people.UserIdOfAsync(email, cancellationToken)
            ?? throw new DeliveryException($"{email} has no Slack account with that email", transient: false);
        await slack.PublishView(userId, SlackHome.Render(HomeModel.For(email, store, catalog.People)), cancellationToken);
    }

    private async Task<string> DirectMessageChannelAsync(string email, CancellationToken cancellationToken) =>
        await people.DirectChannelAsync(email, cancellationToken)
            ?? throw new DeliveryException($"{email} has no Slack account with that email", transient: false);

    /// <summary>Slack's answers to a card it will never take as drawn; a smaller card is tried instead of retrying this one.</summary>
    private static bool RefusedAsInvalid(SlackApiException ex) =>
        ex.Error is "invalid_blocks" or "invalid_blocks_format" or "msg_too_long" or "msg_blocks_too_long";

    /// <summary>Each message carries its outbox key, so a message can always be traced to the change that caused it.</summary>
    private static SlackMessageMetadata Metadata(OutboxItem item) =>
        new(EffectEventType, new JsonObject { ["key"] = item.Key, ["instance"] = item.InstanceId });
}
