using System.Text.Json.Serialization;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Engine;

/// <summary>
/// Something the outside world must be told because of a committed change. Effects are stored with the
/// change in one write (a transactional outbox) and delivered afterwards by a channel, which renders them its own way.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "effect")]
[JsonDerivedType(typeof(AskDecision), "ask")]
[JsonDerivedType(typeof(UpdateCard), "update-card")]
[JsonDerivedType(typeof(NotifyPerson), "notify")]
[JsonDerivedType(typeof(RemindPerson), "remind")]
public abstract record Effect
{
    /// <summary>Email of the person this effect reaches.</summary>
    public required string Recipient { get; init; }
    public required string InstanceId { get; init; }
}

/// <summary>Post a card asking the recipient to decide an assignment.</summary>
public sealed record AskDecision : Effect
{
    public required CardModel Card { get; init; }
}

/// <summary>Replace a card that was posted for an assignment by its current state (no live buttons once closed).</summary>
public sealed record UpdateCard : Effect
{
    public required CardModel Card { get; init; }
}

/// <summary>A plain message to a person.</summary>
public sealed record NotifyPerson : Effect
{
    public required string Text { get; init; }
}

/// <summary>A short nudge that points at the card already posted for an assignment (a threaded reply), not a second card.</summary>
public sealed record RemindPerson : Effect
{
    public required string AssignmentId { get; init; }
    public required string Text { get; init; }
}

// Both stored by name in the outbox; new values go at the end.

/// <summary>
/// What a card asks for: a decision (<see cref="Approval"/>, <see cref="Task"/>), or of the requester an answer to an
/// approver's question (<see cref="Question"/>) or changed inputs after a rejection (<see cref="Resubmit"/>).
/// </summary>
public enum CardKind { Approval, Task, Question, Resubmit }

/// <summary><see cref="Waiting"/>: the card's owner asked the requester something and waits for the answer (no live buttons).</summary>
public enum CardStatus { Open, Approved, Rejected, Done, Closed, Waiting }

/// <summary>Everything a channel needs to draw an approval or task card, in platform-neutral terms.</summary>
public sealed record CardModel
{
    public required string InstanceId { get; init; }
    public required string AssignmentId { get; init; }
    public required string StepId { get; init; }
    public required CardKind Kind { get; init; }
    public required string Title { get; init; }
    public required string WorkflowName { get; init; }
    public required string RequestedBy { get; init; }

    /// <summary>The name of the person the assignee stands in for (delegation), or null.</summary>
    public string? OnBehalfOf { get; init; }
    public IReadOnlyList<CardField> Fields { get; init; } = [];
    public DateTimeOffset? DueAt { get; init; }
    public CardStatus Status { get; init; } = CardStatus.Open;

    /// <summary>For a closed card: what happened, e.g. "Approved by Bob Brown".</summary>
    public string? Outcome { get; init; }
    public string? Reason { get; init; }

    /// <summary>Progress of the step across approvers, e.g. "1 of 2 approved".</summary>
    public string? Progress { get; init; }

    /// <summary>Questions asked about this step and their answers, oldest first (the last may still be unanswered).</summary>
    public IReadOnlyList<CardExchange> Exchanges { get; init; } = [];

    /// <summary>What the requester changed when they resubmitted, e.g. Amount (EUR): 1500 → 900.</summary>
    public IReadOnlyList<CardChange> Changes { get; init; } = [];

    /// <summary>For a <see cref="CardKind.Resubmit"/> card: the inputs the requester may change, with their current values.</summary>
    public CardForm? Form { get; init; }
}

public sealed record CardField(string Label, string Value);

/// <summary>One question and, once given, its answer; people by name.</summary>
public sealed record CardExchange(string AskedBy, string Question, string? AnsweredBy = null, string? Answer = null);

public sealed record CardChange(string Label, string Before, string After);

/// <summary>A form of a workflow's inputs, prefilled with raw values keyed by input id.</summary>
public sealed record CardForm(IReadOnlyList<InputDefinition> Inputs, IReadOnlyDictionary<string, string> Values);
