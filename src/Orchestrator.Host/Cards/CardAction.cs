using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Cards;

/// <summary>What a click on a card, or the form it opened, asks for; the same whichever chat it came from.</summary>
internal enum CardVerb
{
    Approve,
    Done,

    /// <summary>The reject button without a reason yet: the reason is asked for first.</summary>
    AskReason,
    Reject,

    /// <summary>The "ask for more information" button without a question yet: the question is asked for first.</summary>
    AskQuestion,
    RequestInfo,

    /// <summary>The answer button of a question card without an answer yet.</summary>
    AskAnswer,
    AnswerInfo,

    /// <summary>The resubmit button of a rejection without the changed inputs yet.</summary>
    AskResubmit,
    Resubmit,
    Withdraw,

    /// <summary>Draw the card again as it now stands (Teams refreshes a card when it is seen).</summary>
    Refresh,
}

/// <summary>
/// One card action as each chat edge hands it over: on which card (<paramref name="AssignmentId"/> is the assignment, question
/// or return the card is drawn under), what was asked for, by whom (their directory email) and from which chat.
/// </summary>
internal sealed record CardAction(string InstanceId, string AssignmentId, CardVerb Verb, string Actor, string Platform)
{
    /// <summary>The reason, question or answer typed with the action; null when none came with it.</summary>
    public string? Text { get; init; }

    /// <summary>A resubmission's inputs, read from the submitted form once the request's definition is known.</summary>
    public Func<WorkflowDefinition, IReadOnlyDictionary<string, string>>? Form { get; init; }
}

/// <summary>What became of a card action, for each chat to render in its own way.</summary>
internal abstract record CardOutcome;

/// <summary>The engine's answer: recorded, or refused with the reason the clicker is told.</summary>
internal sealed record CardAnswered(DecideResult Result) : CardOutcome;

/// <summary>The action may go ahead but needs the clicker's words first: a reason, question, answer or changed inputs.</summary>
internal abstract record CardPrompt : CardOutcome;

internal sealed record ReasonPrompt(string Title) : CardPrompt;

internal sealed record QuestionPrompt(string Title, string RequesterName) : CardPrompt;

internal sealed record AnswerPrompt(string AskerName, string Question) : CardPrompt;

internal sealed record ResubmitPrompt(WorkflowDefinition Definition, IReadOnlyDictionary<string, string> Inputs, string Reason) : CardPrompt;

/// <summary>The card as it now stands, for the person it was sent to.</summary>
internal sealed record CardShown(CardModel Card) : CardOutcome;
