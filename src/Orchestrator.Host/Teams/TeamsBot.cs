using System.Net;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Teams;
using Microsoft.Bot.Schema;
using Microsoft.Bot.Schema.Teams;
using Newtonsoft.Json.Linq;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Cards;
using Orchestrator.Host.Delivery;

namespace Orchestrator.Host.Teams;

/// <summary>
/// The Teams edge: remembers who people are and how to reach them, runs commands typed as messages, and records the
/// decisions clicked on Adaptive Cards (<c>adaptiveCard/action</c> invokes), answering each with the card as it now stands.
/// </summary>
internal sealed partial class TeamsBot(
    CommandService commands,
    Catalog catalog,
    CardActions cards,
    TeamsConversations conversations,
    ChannelRouter router,
    ILogger<TeamsBot> logger) : TeamsActivityHandler
{
    public const string AdaptiveCardAction = "adaptiveCard/action";
    private const string MessageResponse = "application/vnd.microsoft.activity.message";
    private const string ErrorResponse = "application/vnd.microsoft.error";

    protected override async Task OnMessageActivityAsync(ITurnContext<IMessageActivity> turnContext, CancellationToken cancellationToken)
    {
        var activity = turnContext.Activity;
        var personal = IsPersonal(activity);
        var mentions = activity.GetMentions() ?? [];
        var mentionsBot = mentions.Any(m => m.Mentioned?.Id == activity.Recipient?.Id);
        var email = await EmailOfSenderAsync(turnContext, cancellationToken);
        // In channels and group chats only what is addressed to the bot is a command.
        if (!personal && !mentionsBot) return;
        if (email is null)
        {
            await turnContext.SendActivityAsync(NoEmail, cancellationToken: cancellationToken);
            return;
        }

        var text = await CommandTextAsync(turnContext, mentions, cancellationToken);
        var reply = commands.Execute(text, email, TeamsOutboxHandler.Platform);
        var answer = reply switch
        {
            { Form: { } form } => MessageFactory.Attachment(Attachment(TeamsCards.StartForm(form)), reply.Text),
            { Home: { } home } => MessageFactory.Attachment(Attachment(TeamsHome.Render(home))),
            _ => MessageFactory.Text(reply.Text),
        };
        await turnContext.SendActivityAsync(answer, cancellationToken);
    }

    protected override async Task OnConversationUpdateActivityAsync(ITurnContext<IConversationUpdateActivity> turnContext, CancellationToken cancellationToken)
    {
        var activity = turnContext.Activity;
        var personal = IsPersonal(activity);
        var installed = personal && activity.MembersAdded?.Any(m => m.Id == activity.Recipient?.Id) == true;
        // A personal install names only the bot in membersAdded; the person who installed it is the sender, and their cards
        // should reach them before they type anything.
        var installer = installed && activity.From is { Id: { Length: > 0 } from } && from != activity.Recipient?.Id ? from : null;
        if (installer is not null) await EmailOfSenderAsync(turnContext, cancellationToken);
        foreach (var member in activity.MembersAdded ?? [])
        {
            if (member.Id == activity.Recipient?.Id || member.Id == installer) continue;
            await EmailOfAsync(turnContext, member, personal, cancellationToken);
        }
        if (installed) await turnContext.SendActivityAsync(Welcome, cancellationToken: cancellationToken);
    }

    protected override async Task OnInstallationUpdateAddAsync(ITurnContext<IInstallationUpdateActivity> turnContext, CancellationToken cancellationToken) =>
        await EmailOfSenderAsync(turnContext, cancellationToken);

    protected override async Task<InvokeResponse> OnInvokeActivityAsync(ITurnContext<IInvokeActivity> turnContext, CancellationToken cancellationToken)
    {
        if (turnContext.Activity.Name != AdaptiveCardAction) return await base.OnInvokeActivityAsync(turnContext, cancellationToken);
        try
        {
            return await CardActionAsync(turnContext, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogActionFailed(ex, turnContext.Activity.Id);
            return Error(HttpStatusCode.InternalServerError, "Something went wrong recording that; nothing was changed. Try again.");
        }
    }

    private async Task<InvokeResponse> CardActionAsync(ITurnContext<IInvokeActivity> turnContext, CancellationToken cancellationToken)
    {
        var action = (turnContext.Activity.Value as JObject)?["action"] as JObject;
        var verb = action?.Value<string>("verb");
        var data = action?["data"] as JObject ?? [];
        if (action is null || string.IsNullOrEmpty(verb))
            return Error(HttpStatusCode.BadRequest, "The invoke has no action.verb.");
        var email = await EmailOfSenderAsync(turnContext, cancellationToken);
        if (email is null) return Message(NoEmail);
        var zone = catalog.People.ZoneOf(email);

        if (verb == TeamsCards.Start) return StartFromForm(data, email);
        if (CardVerbOf(verb, data) is not { } cardVerb) return Error(HttpStatusCode.BadRequest, $"Unknown action '{verb}'; nothing was changed.");
        var instanceId = data.Value<string>(TeamsCards.InstanceKey);
        var id = data.Value<string>(TeamsCards.AssignmentKey);
        if (string.IsNullOrEmpty(instanceId) || string.IsNullOrEmpty(id))
            return Error(HttpStatusCode.BadRequest, "The action's data does not name an instance and assignment; nothing was changed.");

        var clicked = new Cards.CardAction(instanceId, id, cardVerb, email, TeamsOutboxHandler.Platform)
        {
            Text = cardVerb switch
            {
                CardVerb.Reject => data.Value<string>(TeamsCards.ReasonInput),
                CardVerb.RequestInfo => data.Value<string>(TeamsInfoCards.QuestionInput),
                CardVerb.AnswerInfo => data.Value<string>(TeamsInfoCards.AnswerInput),
                _ => null,
            },
            Form = cardVerb == CardVerb.Resubmit ? _ => ResubmitValues(data) : null,
        };
        return Render(clicked, cards.Handle(clicked), zone);
    }

    /// <summary>
    /// What a verb asks for. A card's inputs travel with its buttons: a rejection carries its reason, and the "ask" button
    /// carries a question only once the card turned into the question form.
    /// </summary>
    private static CardVerb? CardVerbOf(string verb, JObject data) => verb switch
    {
        TeamsCards.Approve => CardVerb.Approve,
        TeamsCards.Reject => CardVerb.Reject,
        TeamsCards.Done => CardVerb.Done,
        TeamsCards.RequestInfo => data[TeamsInfoCards.QuestionInput] is null ? CardVerb.AskQuestion : CardVerb.RequestInfo,
        TeamsInfoCards.AnswerInfo => CardVerb.AnswerInfo,
        TeamsInfoCards.Resubmit => CardVerb.Resubmit,
        TeamsInfoCards.Withdraw => CardVerb.Withdraw,
        TeamsInfoCards.Refresh => CardVerb.Refresh,
        _ => null,
    };

    private static Dictionary<string, string> ResubmitValues(JObject data) =>
        data.Properties()
            .Where(p => p.Name is not (TeamsCards.InstanceKey or TeamsCards.AssignmentKey) && p.Value.Type is not (JTokenType.Null or JTokenType.Object or JTokenType.Array))
            .Select(p => (p.Name, Value: p.Value.ToString().Trim()))
            .Where(p => p.Value.Length > 0)
            .ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Each invoke is answered with the card as it now stands when something was recorded (or had been already), else with the
    /// reason as a message; the question form is the card itself, turned into a form.
    /// </summary>
    private InvokeResponse Render(Cards.CardAction action, CardOutcome outcome, TimeZoneInfo zone)
    {
        var (instanceId, id) = (action.InstanceId, action.AssignmentId);
        switch (outcome)
        {
            case QuestionPrompt:
                return cards.LatestCard(instanceId, id) is { } asking ? CardResponse(TeamsInfoCards.QuestionForm(asking)) : Message($"That card no longer belongs to {instanceId}.");
            case CardShown shown:
                return CardResponse(TeamsCards.Render(shown.Card, zone));
            case CardAnswered { Result: { Outcome: DecideOutcome.TextRequired or DecideOutcome.TooLong } asked } when action.Verb == CardVerb.RequestInfo
                && cards.LatestCard(instanceId, id) is { } form:
                return CardResponse(TeamsInfoCards.QuestionForm(form, asked.Message));
            case CardAnswered { Result: { Outcome: DecideOutcome.Recorded or DecideOutcome.AlreadyDecided } result } when cards.LatestCard(instanceId, id) is { } latest:
                return CardResponse(TeamsCards.Render(latest, zone, result.Recorded ? null : result.Message));
            case CardAnswered { Result: var result }:
                return Message(result.Message);
            default:
                // Teams cards carry their reason and inputs with the button; no other form is asked for.
                return Error(HttpStatusCode.BadRequest, $"Nothing to do with '{action.Verb}'; nothing was changed.");
        }
    }

    private InvokeResponse StartFromForm(JObject data, string email)
    {
        var workflowId = data.Value<string>(TeamsCards.WorkflowKey);
        if (string.IsNullOrEmpty(workflowId) || catalog.Find(workflowId) is null)
            return Message($"The workflow '{workflowId}' no longer exists.");
        var values = data.Properties()
            .Where(p => p.Name != TeamsCards.WorkflowKey && p.Value.Type is not (JTokenType.Null or JTokenType.Object or JTokenType.Array))
            .Select(p => (p.Name, Value: p.Value.ToString().Trim()))
            .Where(p => p.Value.Length > 0)
            .ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
        var reply = commands.StartWith(workflowId, values, email, TeamsOutboxHandler.Platform);
        return reply.Form is { } form ? CardResponse(TeamsCards.StartForm(form, reply.Text)) : Message(reply.Text);
    }

    /// <summary>The message text with the bot's own mention removed and people's mentions turned into their emails.</summary>
    private async Task<string> CommandTextAsync(ITurnContext turnContext, IEnumerable<Mention> mentions, CancellationToken cancellationToken)
    {
        var activity = turnContext.Activity;
        var text = activity.Text ?? "";
        foreach (var mention in mentions.Where(m => m.Mentioned is not null && !string.IsNullOrEmpty(m.Text)))
        {
            if (mention.Mentioned.Id == activity.Recipient?.Id)
            {
                text = text.Replace(mention.Text, "", StringComparison.Ordinal);
                continue;
            }
            var email = await EmailOfAsync(turnContext, mention.Mentioned, personal: false, cancellationToken);
            if (email is not null) text = text.Replace(mention.Text, email, StringComparison.Ordinal);
        }
        return text.Trim();
    }

    private async Task<string?> EmailOfSenderAsync(ITurnContext turnContext, CancellationToken cancellationToken)
    {
        var email = await EmailOfAsync(turnContext, turnContext.Activity.From, IsPersonal(turnContext.Activity), cancellationToken);
        if (email is not null) router.Spoke(email, TeamsOutboxHandler.Platform);
        return email;
    }

    /// <summary>
    /// Resolves a Teams user to the email the directory knows (their email, else their UPN), remembering them together with
    /// how to reach them. A user seen before is not looked up again.
    /// </summary>
    private async Task<string?> EmailOfAsync(ITurnContext turnContext, ChannelAccount? account, bool personal, CancellationToken cancellationToken)
    {
        if (account is null || string.IsNullOrEmpty(account.Id)) return null;
        var activity = turnContext.Activity;
        var tenant = activity.Conversation?.TenantId ?? activity.GetChannelData<TeamsChannelData>()?.Tenant?.Id;
        var known = (string.IsNullOrEmpty(account.AadObjectId) ? null : conversations.FindByAadObjectId(account.AadObjectId))
            ?? conversations.FindByUserId(account.Id);
        var email = known?.Email;
        var aad = account.AadObjectId ?? known?.AadObjectId;
        if (email is null)
        {
            try
            {
                var member = await TeamsInfo.GetMemberAsync(turnContext, account.Id, cancellationToken);
                email = string.IsNullOrWhiteSpace(member.Email) ? member.UserPrincipalName : member.Email;
                aad ??= member.AadObjectId;
                tenant ??= member.TenantId;
            }
            catch (Exception ex) when (ex is ErrorResponseException or HttpRequestException or InvalidOperationException)
            {
                LogMemberLookupFailed(account.Id, ex.Message);
            }
        }
        email = string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

        // The reference must name this user, not whoever sent the activity (members added by someone else).
        var reference = activity.GetConversationReference();
        reference.User = new ChannelAccount(account.Id, account.Name, aadObjectId: aad);
        conversations.Save(account.Id, aad, email, tenant, reference, personal && account.Id == activity.From?.Id);
        return email;
    }

    // The Bot Framework Emulator sends no conversationType; it is a 1:1 conversation as far as we are concerned.
    private static bool IsPersonal(IActivity activity) =>
        activity.Conversation?.ConversationType is null or "personal";

    private static Attachment Attachment(AdaptiveCard card) => TeamsOutboxHandler.Attachment(card);

    private static InvokeResponse CardResponse(AdaptiveCard card) => Ok(new JObject
    {
        ["statusCode"] = 200,
        ["type"] = AdaptiveCard.ContentType,
        ["value"] = JObject.Parse(card.ToJson()),
    });

    private static InvokeResponse Message(string text) => Ok(new JObject
    {
        ["statusCode"] = 200,
        ["type"] = MessageResponse,
        ["value"] = text,
    });

    private static InvokeResponse Error(HttpStatusCode status, string message) => Ok(new JObject
    {
        ["statusCode"] = (int)status,
        ["type"] = ErrorResponse,
        ["value"] = new JObject { ["code"] = status.ToString(), ["message"] = message },
    });

    // Universal Actions carry their own status inside the body; the HTTP answer itself is always 200.
    private static InvokeResponse Ok(JObject body) => new() { Status = (int)HttpStatusCode.OK, Body = body };

    private const string NoEmail = "I can't see your email address in Teams, so I can't tell who you are. Ask an admin to check the bot's registration.";
    private const string Welcome = "Hi, I'm Orchestrator: I bring approvals to you here. Type help to see what I can do.";

    [LoggerMessage(LogLevel.Warning, "Teams member lookup for {UserId} failed: {Error}")]
    private partial void LogMemberLookupFailed(string userId, string error);

    [LoggerMessage(LogLevel.Error, "A Teams card action ({ActivityId}) failed")]
    private partial void LogActionFailed(Exception ex, string activityId);
}
