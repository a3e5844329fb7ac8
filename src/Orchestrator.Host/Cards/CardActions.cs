using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Cards;

/// <summary>
/// One handler per card verb, shared by Slack and Teams: each edge translates its payload into a <see cref="CardAction"/>
/// and renders the <see cref="CardOutcome"/>, so who may click, what needs a reason and how long a text may be are decided
/// here (and in the engine) once, never per chat.
/// </summary>
internal sealed class CardActions(WorkflowEngine engine, IInstances store, Catalog catalog)
{
    public CardOutcome Handle(CardAction action) => action.Verb switch
    {
        CardVerb.Approve => Approve(action),
        CardVerb.Done => Done(action),
        CardVerb.AskReason => AskReason(action),
        CardVerb.Reject => Reject(action),
        CardVerb.AskQuestion => AskQuestion(action),
        CardVerb.RequestInfo => RequestInfo(action),
        CardVerb.AskAnswer => AskAnswer(action),
        CardVerb.AnswerInfo => AnswerInfo(action),
        CardVerb.AskResubmit => AskResubmit(action),
        CardVerb.Resubmit => Resubmit(action),
        CardVerb.Withdraw => Withdraw(action),
        CardVerb.Refresh => Refresh(action),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.Verb, "Unknown card verb."),
    };

    /// <summary>
    /// Why the words typed for <paramref name="verb"/> cannot be sent (blank, or over its <see cref="TextLimits"/>), or null;
    /// for a form that shows its errors before it is accepted. The engine checks the same again when the action comes.
    /// </summary>
    public static string? TextProblem(CardVerb verb, string? text)
    {
        var (whenBlank, what, limit) = verb switch
        {
            CardVerb.Reject => ("A reason is required to reject.", "The reason", TextLimits.Comment),
            CardVerb.RequestInfo => ("Write a question for the requester.", "The question", TextLimits.Question),
            CardVerb.AnswerInfo => ("Write an answer.", "The answer", TextLimits.Answer),
            _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "This verb carries no text."),
        };
        return string.IsNullOrWhiteSpace(text) ? whenBlank : TextLimits.Exceeded(what, text.Trim(), limit);
    }

    public CardOutcome Approve(CardAction a) => Decide(a, Verdict.Approve, comment: null);

    public CardOutcome Done(CardAction a) => Decide(a, Verdict.Done, comment: null);

    /// <summary>A rejection needs a reason: the clicker is asked for it only once the engine agreed they may reject.</summary>
    public CardOutcome AskReason(CardAction a)
    {
        if (engine.Check(a.InstanceId, a.AssignmentId, a.Actor, Verdict.Reject) is { } refusal) return new CardAnswered(refusal);
        var instance = store.Get(a.InstanceId)!;
        return new ReasonPrompt(TitleOf(instance, instance.FindAssignment(a.AssignmentId)!.Value.Step));
    }

    /// <summary>A rejection with its reason; a blank or over-long reason is refused by the engine and nothing changes.</summary>
    public CardOutcome Reject(CardAction a) => Decide(a, Verdict.Reject, a.Text);

    public CardOutcome AskQuestion(CardAction a)
    {
        if (engine.CheckRequestInfo(a.InstanceId, a.AssignmentId, a.Actor) is { } refusal) return new CardAnswered(refusal);
        var instance = store.Get(a.InstanceId)!;
        return new QuestionPrompt(TitleOf(instance, instance.FindAssignment(a.AssignmentId)!.Value.Step), catalog.People.NameOf(instance.Requester));
    }

    public CardOutcome RequestInfo(CardAction a) =>
        new CardAnswered(engine.RequestInfo(a.InstanceId, a.AssignmentId, a.Actor, a.Text, a.Platform));

    public CardOutcome AskAnswer(CardAction a)
    {
        if (engine.CheckAnswer(a.InstanceId, a.AssignmentId, a.Actor) is { } refusal) return new CardAnswered(refusal);
        var question = store.Get(a.InstanceId)!.Steps.SelectMany(s => s.Questions).Single(q => q.Id == a.AssignmentId);
        return new AnswerPrompt(catalog.People.NameOf(question.AskedBy), question.Question);
    }

    public CardOutcome AnswerInfo(CardAction a) =>
        new CardAnswered(engine.AnswerInfo(a.InstanceId, a.AssignmentId, a.Actor, a.Text, a.Platform));

    public CardOutcome AskResubmit(CardAction a)
    {
        if (engine.CheckResubmit(a.InstanceId, a.AssignmentId, a.Actor) is { } refusal) return new CardAnswered(refusal);
        var instance = store.Get(a.InstanceId)!;
        var back = instance.Current!.Returns.Single(r => r.Id == a.AssignmentId);
        return new ResubmitPrompt(instance.Definition, instance.Inputs, back.Reason);
    }

    public CardOutcome Resubmit(CardAction a)
    {
        if (store.Get(a.InstanceId) is not { } instance)
            return new CardAnswered(new DecideResult(DecideOutcome.NotFound, $"There is no request {a.InstanceId}."));
        var values = a.Form?.Invoke(instance.Definition) ?? new Dictionary<string, string>();
        return new CardAnswered(engine.Resubmit(a.InstanceId, a.AssignmentId, a.Actor, values, a.Platform));
    }

    public CardOutcome Withdraw(CardAction a) =>
        new CardAnswered(engine.Withdraw(a.InstanceId, a.AssignmentId, a.Actor, a.Platform));

    /// <summary>Only the person a card was sent to may have it drawn again: anyone else would read someone else's request.</summary>
    public CardOutcome Refresh(CardAction a)
    {
        var latest = store.EffectsOf(a.InstanceId)
            .LastOrDefault(e => e switch { UpdateCard u => u.Card.AssignmentId == a.AssignmentId, AskDecision d => d.Card.AssignmentId == a.AssignmentId, _ => false });
        return latest is not null && string.Equals(latest.Recipient, a.Actor, StringComparison.OrdinalIgnoreCase) && LatestCard(a.InstanceId, a.AssignmentId) is { } mine
            ? new CardShown(mine)
            : new CardAnswered(new DecideResult(DecideOutcome.NotAllowed, $"That card is not yours, or no longer belongs to {a.InstanceId}. Nothing to show."));
    }

    /// <summary>The card of an assignment, question or return as the engine last drew it (the decided state right after a decision).</summary>
    public CardModel? LatestCard(string instanceId, string assignmentId) =>
        store.EffectsOf(instanceId)
            .Select(e => e switch { UpdateCard u => u.Card, AskDecision d => d.Card, _ => null })
            .LastOrDefault(c => c?.AssignmentId == assignmentId);

    private CardAnswered Decide(CardAction a, Verdict verdict, string? comment) =>
        new(engine.Decide(a.InstanceId, a.AssignmentId, a.Actor, verdict, comment, a.Platform));

    private string TitleOf(WorkflowInstance instance, StepRun run) =>
        instance.Title(instance.Definition.Steps[instance.Steps.IndexOf(run)], catalog.People.NameOf(instance.Requester));
}
