using System.Text.Json.Nodes;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Cards;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

// Slack shows a modal's errors only in the answer to its view_submission, so these checks run before the acknowledgement;
// they read nothing but the payload and the local store. Who may ask or answer is the engine's to decide later; a resubmission
// form is checked against the request's inputs, so the engine first decides whether the submitter may resubmit at all.
internal static partial class SlackEndpoints
{
    private static JsonObject? ValidateInfo(string? callback, JsonObject values, string? metadata, string userId, IStore store, WorkflowEngine engine)
    {
        var block = callback switch
        {
            SlackInfoCards.QuestionCallback => SlackInfoCards.QuestionBlock,
            SlackInfoCards.AnswerCallback => SlackInfoCards.AnswerBlock,
            _ => values.FirstOrDefault().Key ?? "form",
        };
        if (!SlackCards.TryParseButtonValue(metadata, out var instanceId, out var returnId))
            return new JsonObject { [block] = "This form lost track of its request; open it again from the card." };

        switch (callback)
        {
            case SlackInfoCards.QuestionCallback:
                return CardActions.TextProblem(CardVerb.RequestInfo, StateValue(values, block)) is { } question ? new JsonObject { [block] = question } : null;
            case SlackInfoCards.AnswerCallback:
                return CardActions.TextProblem(CardVerb.AnswerInfo, StateValue(values, block)) is { } answer ? new JsonObject { [block] = answer } : null;
            default:
                if (store.Get(instanceId) is not { } instance)
                    return new JsonObject { [block] = $"There is no request {instanceId}." };
                // Only a Slack user already known here can have opened this form from their card; anyone else is left to the
                // engine after the acknowledgement, which refuses them before it looks at a field.
                if (store.EmailOfSlackUser(userId) is not { } known) return null;
                var check = engine.CheckResubmit(instanceId, returnId, known.Email, StartFormValues(values, instance.Definition));
                if (check.Refusal is { } refusal) return new JsonObject { [block] = refusal.Message };
                var errors = new JsonObject();
                foreach (var e in check.Validation!.Errors) errors[e.Field] = e.Message;
                foreach (var m in check.Validation.MissingRequired) errors[m.Id] = $"{m.Label} is required.";
                return errors.Count == 0 ? null : errors;
        }
    }
}
