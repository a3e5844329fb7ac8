using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Delivery;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Teams;

/// <summary>
/// Delivers outbox effects routed to Teams: cards and notes into the person's 1:1 chat with the bot through their stored
/// conversation reference (creating the chat when only their id and tenant are known), and card updates in place.
/// </summary>
internal sealed class TeamsOutboxHandler(
    CloudAdapter adapter,
    TeamsConversations conversations,
    ChannelRouter router,
    ICards store,
    Catalog catalog,
    IOptions<TeamsOptions> options) : IOutboxHandler
{
    public const string Platform = "teams";

    public bool CanHandle(OutboxItem item) => item.Kind == OutboxKinds.Effect && router.PlatformFor(item) == Platform;

    public async Task HandleAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        var effect = JsonSerializer.Deserialize<Effect>(item.Payload, StoreJson.Options)!;
        var zone = catalog.People.ZoneOf(effect.Recipient);
        try
        {
            switch (effect)
            {
                case AskDecision ask:
                {
                    var reference = await PersonalReferenceAsync(effect.Recipient, cancellationToken);
                    var card = TeamsCards.Render(ask.Card, zone);
                    var id = await SendAsync(reference, MessageFactory.Attachment(Attachment(card), card.FallbackText), cancellationToken);
                    store.SaveCard(ask.InstanceId, ask.Card.AssignmentId, Platform, reference.Conversation.Id, id);
                    break;
                }
                case UpdateCard update:
                {
                    // A card that was never posted (its delivery failed for good) has nothing to update.
                    if (store.FindCard(update.InstanceId, update.Card.AssignmentId) is not { Platform: Platform } posted) return;
                    var reference = await PersonalReferenceAsync(effect.Recipient, cancellationToken);
                    reference.Conversation = new ConversationAccount(id: posted.Channel, tenantId: reference.Conversation?.TenantId, conversationType: "personal");
                    var card = TeamsCards.Render(update.Card, zone);
                    var activity = MessageFactory.Attachment(Attachment(card), card.FallbackText);
                    activity.Id = posted.MessageId;
                    await ContinueAsync(reference, async (turn, ct) => await turn.UpdateActivityAsync(activity, ct), cancellationToken);
                    break;
                }
                case NotifyPerson note:
                {
                    var reference = await PersonalReferenceAsync(effect.Recipient, cancellationToken);
                    await SendAsync(reference, MessageFactory.Text(note.Text), cancellationToken);
                    break;
                }
                case RemindPerson remind:
                {
                    // Teams has no threads in a 1:1 chat: the nudge is a message of its own next to the card.
                    var reference = await PersonalReferenceAsync(effect.Recipient, cancellationToken);
                    await SendAsync(reference, MessageFactory.Text(remind.Text), cancellationToken);
                    break;
                }
            }
        }
        catch (ErrorResponseException ex) when (ex.Response is { } response)
        {
            var status = response.StatusCode;
            var transient = status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;
            throw new DeliveryException($"Bot Connector answered {(int)status}: {ex.Message}", transient, RetryAfter(response.Headers), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new DeliveryException($"Bot Connector unreachable: {ex.Message}", transient: true, inner: ex);
        }
    }

    private async Task<string> SendAsync(ConversationReference reference, IActivity activity, CancellationToken cancellationToken)
    {
        string? id = null;
        await ContinueAsync(reference, async (turn, ct) => id = (await turn.SendActivityAsync(activity, ct))?.Id, cancellationToken);
        return id ?? throw new DeliveryException("The Bot Connector accepted the message but returned no activity id.", transient: false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a proactive turn and lets its failure reach the dispatcher: the adapter's
    /// OnTurnError would otherwise log and swallow it, and the message would count as delivered.
    /// </summary>
    private async Task ContinueAsync(ConversationReference reference, BotCallbackHandler work, CancellationToken cancellationToken)
    {
        ExceptionDispatchInfo? failure = null;
        await adapter.ContinueConversationAsync(options.Value.MicrosoftAppId ?? "", reference, async (turn, ct) =>
        {
            try
            {
                await work(turn, ct);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        }, cancellationToken);
        failure?.Throw();
    }

    /// <summary>The person's 1:1 conversation, created (and remembered) when the bot knows them only from a team or group chat.</summary>
    private async Task<ConversationReference> PersonalReferenceAsync(string email, CancellationToken cancellationToken)
    {
        var member = conversations.FindByEmail(email)
            ?? throw new DeliveryException($"{email} has not talked to the bot in Teams, so there is no chat to post into.", transient: false);
        if (member.Personal is { } personal) return personal;
        if (string.IsNullOrEmpty(member.TenantId))
            throw new DeliveryException($"{email} is known in Teams without a tenant; a 1:1 chat cannot be created.", transient: false);

        ConversationReference? created = null;
        var parameters = new ConversationParameters
        {
            IsGroup = false,
            Members = [new ChannelAccount(member.UserId)],
            TenantId = member.TenantId,
            ChannelData = new JObject { ["tenant"] = new JObject { ["id"] = member.TenantId } },
        };
        await adapter.CreateConversationAsync(options.Value.MicrosoftAppId ?? "", "msteams", member.ServiceUrl, null, parameters,
            (turn, _) =>
            {
                created = turn.Activity.GetConversationReference();
                return Task.CompletedTask;
            }, cancellationToken);
        if (created is null) throw new DeliveryException($"Creating a 1:1 chat with {email} returned no conversation.", transient: true);
        created.User = new ChannelAccount(member.UserId, aadObjectId: member.AadObjectId);
        created.Conversation.ConversationType ??= "personal";
        created.Conversation.TenantId ??= member.TenantId;
        conversations.Save(member.UserId, member.AadObjectId, email, member.TenantId, created, personal: true);
        return created;
    }

    public static Attachment Attachment(AdaptiveCard card) =>
        new() { ContentType = AdaptiveCard.ContentType, Content = JObject.Parse(card.ToJson()) };

    private static TimeSpan? RetryAfter(IDictionary<string, IEnumerable<string>>? headers) =>
        headers is not null
        && headers.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() is { } value
        && int.TryParse(value, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
