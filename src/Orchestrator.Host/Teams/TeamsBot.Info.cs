using System.Net;
using Microsoft.Bot.Builder;
using Newtonsoft.Json.Linq;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Teams;

// Asking the requester for more information, answering, and changing and resubmitting a rejected request. Each invoke is
// answered with the card as it now stands, or with the reason nothing changed.
internal sealed partial class TeamsBot
{
    private InvokeResponse InfoAction(string verb, JObject data, string email, TimeZoneInfo zone)
    {
        var instanceId = data.Value<string>(TeamsCards.InstanceKey);
        var id = data.Value<string>(TeamsCards.AssignmentKey);
        if (string.IsNullOrEmpty(instanceId) || string.IsNullOrEmpty(id))
            return Error(HttpStatusCode.BadRequest, "The action's data does not name an instance and assignment; nothing was changed.");
        const string via = TeamsOutboxHandler.Platform;

        switch (verb)
        {
            case TeamsCards.RequestInfo:
                // The card's own button carries no question: it turns the card into the question form first.
                if (data[TeamsInfoCards.QuestionInput] is null)
                {
                    if (engine.CheckRequestInfo(instanceId, id, email) is { } refusal) return Answered(refusal, instanceId, id, zone);
                    return LatestCard(instanceId, id) is { } card ? CardResponse(TeamsInfoCards.QuestionForm(card)) : Message($"That card no longer belongs to {instanceId}.");
                }
                var asked = engine.RequestInfo(instanceId, id, email, data.Value<string>(TeamsInfoCards.QuestionInput), via);
                return asked.Outcome is DecideOutcome.TextRequired or DecideOutcome.TooLong && LatestCard(instanceId, id) is { } form
                    ? CardResponse(TeamsInfoCards.QuestionForm(form, asked.Message))
                    : Answered(asked, instanceId, id, zone);
            case TeamsInfoCards.AnswerInfo:
                return Answered(engine.AnswerInfo(instanceId, id, email, data.Value<string>(TeamsInfoCards.AnswerInput), via), instanceId, id, zone);
            case TeamsInfoCards.Resubmit:
                var values = data.Properties()
                    .Where(p => p.Name is not (TeamsCards.InstanceKey or TeamsCards.AssignmentKey) && p.Value.Type is not (JTokenType.Null or JTokenType.Object or JTokenType.Array))
                    .Select(p => (p.Name, Value: p.Value.ToString().Trim()))
                    .Where(p => p.Value.Length > 0)
                    .ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
                return Answered(engine.Resubmit(instanceId, id, email, values, via), instanceId, id, zone);
            case TeamsInfoCards.Withdraw:
                return Answered(engine.Withdraw(instanceId, id, email, via), instanceId, id, zone);
            default:
                // Only the person a card was sent to may have it drawn again: anyone else would read someone else's request.
                var latest = store.EffectsOf(instanceId)
                    .LastOrDefault(e => e switch { UpdateCard u => u.Card.AssignmentId == id, AskDecision a => a.Card.AssignmentId == id, _ => false });
                return latest is not null && string.Equals(latest.Recipient, email, StringComparison.OrdinalIgnoreCase) && LatestCard(instanceId, id) is { } mine
                    ? CardResponse(TeamsCards.Render(mine, zone))
                    : Message($"That card is not yours, or no longer belongs to {instanceId}. Nothing to show.");
        }
    }

    /// <summary>The card as it now stands when something was recorded (or had been already), else the reason as a message.</summary>
    private InvokeResponse Answered(DecideResult result, string instanceId, string id, TimeZoneInfo zone) =>
        result.Outcome is DecideOutcome.Recorded or DecideOutcome.AlreadyDecided && LatestCard(instanceId, id) is { } card
            ? CardResponse(TeamsCards.Render(card, zone, result.Recorded ? null : result.Message))
            : Message(result.Message);
}
