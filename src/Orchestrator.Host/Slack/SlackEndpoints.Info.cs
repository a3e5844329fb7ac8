using System.Text.Json.Nodes;
using Orchestrator.Core.Definitions;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

// Slack shows a modal's errors only in the answer to its view_submission, so these checks run before the acknowledgement;
// they read nothing but the payload and the local store. Who may ask, answer or resubmit is the engine's to decide later.
internal static partial class SlackEndpoints
{
    private static JsonObject? ValidateInfo(string? callback, JsonObject values, string? metadata, LiteDbStore store)
    {
        var block = callback switch
        {
            SlackInfoCards.QuestionCallback => SlackInfoCards.QuestionBlock,
            SlackInfoCards.AnswerCallback => SlackInfoCards.AnswerBlock,
            _ => values.FirstOrDefault().Key ?? "form",
        };
        if (!SlackCards.TryParseButtonValue(metadata, out var instanceId, out _))
            return new JsonObject { [block] = "This form lost track of its request; open it again from the card." };

        switch (callback)
        {
            case SlackInfoCards.QuestionCallback:
                return Written(StateValue(values, block), "Write a question for the requester.", "The question", TextLimits.Question) is { } question ? new JsonObject { [block] = question } : null;
            case SlackInfoCards.AnswerCallback:
                return Written(StateValue(values, block), "Write an answer.", "The answer", TextLimits.Answer) is { } answer ? new JsonObject { [block] = answer } : null;
            default:
                if (store.Get(instanceId) is not { } instance)
                    return new JsonObject { [block] = $"There is no request {instanceId}." };
                var definition = instance.Definition;
                var validation = InputValidator.Validate(definition, StartFormValues(values, definition));
                var errors = new JsonObject();
                foreach (var e in validation.Errors) errors[e.Field] = e.Message;
                foreach (var m in validation.MissingRequired) errors[m.Id] = $"{m.Label} is required.";
                return errors.Count == 0 ? null : errors;
        }
    }

    /// <summary>Why a question or answer cannot be sent (blank, too long), or null.</summary>
    private static string? Written(string? text, string whenBlank, string what, int limit) =>
        string.IsNullOrWhiteSpace(text) ? whenBlank : TextLimits.Exceeded(what, text.Trim(), limit);
}
