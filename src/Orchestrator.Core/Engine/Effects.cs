using System.Text.Json.Serialization;

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

public enum CardKind { Approval, Task }

public enum CardStatus { Open, Approved, Rejected, Done, Closed }

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
}

public sealed record CardField(string Label, string Value);
