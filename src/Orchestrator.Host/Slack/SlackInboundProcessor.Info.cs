using System.Text.Json.Nodes;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

// Asking the requester for more information, answering, and changing and resubmitting a rejected request. A button opens
// a modal only after the engine agreed the clicker may act; a refusal is answered privately and nothing changes.
internal sealed partial class SlackInboundProcessor
{
    private void InfoAction(InboundItem item, JsonObject payload, string? actionId, string instanceId, string id, string email, string? responseUrl)
    {
        var trigger = SlackEndpoints.Text(payload, "trigger_id")!;
        switch (actionId)
        {
            case SlackCards.RequestInfo:
            {
                if (engine.CheckRequestInfo(instanceId, id, email) is { } refusal)
                {
                    Respond(item, responseUrl, refusal.Message);
                    return;
                }
                var instance = instances.Get(instanceId)!;
                OpenView(item, trigger, SlackInfoCards.QuestionModal(instanceId, id, TitleOf(instance, instance.FindAssignment(id)!.Value.Step), catalog.People.NameOf(instance.Requester)));
                return;
            }
            case SlackInfoCards.AnswerInfo:
            {
                if (engine.CheckAnswer(instanceId, id, email) is { } refusal)
                {
                    Respond(item, responseUrl, refusal.Message);
                    return;
                }
                var question = instances.Get(instanceId)!.Steps.SelectMany(s => s.Questions).Single(q => q.Id == id);
                OpenView(item, trigger, SlackInfoCards.AnswerModal(instanceId, id, catalog.People.NameOf(question.AskedBy), question.Question));
                return;
            }
            case SlackInfoCards.Resubmit:
            {
                if (engine.CheckResubmit(instanceId, id, email) is { } refusal)
                {
                    Respond(item, responseUrl, refusal.Message);
                    return;
                }
                var instance = instances.Get(instanceId)!;
                var back = instance.Current!.Returns.Single(r => r.Id == id);
                OpenView(item, trigger, SlackInfoCards.ResubmitModal(instanceId, id, instance.Definition, instance.Inputs, back.Reason));
                return;
            }
            case SlackInfoCards.Withdraw:
                Respond(item, responseUrl, engine.Withdraw(instanceId, id, email, SlackOutboxHandler.Platform).Message);
                return;
        }
    }

    /// <summary>A submitted question, answer or resubmission; the cards it changes are the confirmation, a refusal comes as a DM.</summary>
    private void InfoView(InboundItem item, string? callback, JsonObject values, string metadata, string email)
    {
        if (!SlackCards.TryParseButtonValue(metadata, out var instanceId, out var id)) return;
        var result = callback switch
        {
            SlackInfoCards.QuestionCallback => engine.RequestInfo(instanceId, id, email, SlackEndpoints.StateValue(values, SlackInfoCards.QuestionBlock), SlackOutboxHandler.Platform),
            SlackInfoCards.AnswerCallback => engine.AnswerInfo(instanceId, id, email, SlackEndpoints.StateValue(values, SlackInfoCards.AnswerBlock), SlackOutboxHandler.Platform),
            SlackInfoCards.ResubmitCallback => instances.Get(instanceId) is { } instance
                ? engine.Resubmit(instanceId, id, email, SlackEndpoints.StartFormValues(values, instance.Definition), SlackOutboxHandler.Platform)
                : new DecideResult(DecideOutcome.NotFound, $"There is no request {instanceId}."),
            _ => null,
        };
        if (result is { Recorded: false }) DirectMessage(item, email, result.Message);
    }

    private string TitleOf(WorkflowInstance instance, StepRun run) =>
        instance.Title(instance.Definition.Steps[instance.Steps.IndexOf(run)], catalog.People.NameOf(instance.Requester));
}
