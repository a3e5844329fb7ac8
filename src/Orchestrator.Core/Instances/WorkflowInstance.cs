using System.Text.Json.Serialization;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Instances;

public enum InstanceState { Open, Completed, Rejected, Cancelled }

// Stored by name; new states go at the end.
public enum StepState { Pending, Active, Approved, Rejected, Done, Skipped, Notified, Cancelled, Returned }

public enum Verdict { Approve, Reject, Done }

/// <summary>
/// One run of a workflow. It carries the definition it started with, so later edits to the YAML file
/// never change a running instance. Only <see cref="Engine.WorkflowEngine"/> changes it.
/// </summary>
/// <remarks>
/// In memory this is the definition object itself; how it is kept is the store's choice (the host's stores each
/// version once and keeps only its workflow id and <see cref="WorkflowDefinition.Version"/> with the instance).
/// </remarks>
public sealed class WorkflowInstance
{
    public required string Id { get; init; }
    public required string WorkflowId { get; init; }
    public required int Number { get; init; }
    public required WorkflowDefinition Definition { get; init; }
    public required Dictionary<string, string> Inputs { get; init; }
    public required string Requester { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public string? StartedVia { get; init; }

    /// <summary>Who started it when that is not the requester: the system (<c>system:jira</c>) whose API key made the call.</summary>
    public string? StartedBy { get; init; }

    /// <summary>The starting system's own reference for this work (a ticket id), echoed in status and webhooks.</summary>
    public string? ExternalRef { get; init; }

    public InstanceState State { get; set; } = InstanceState.Open;
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Index into <see cref="Steps"/> of the step that holds the work, or -1.</summary>
    public int CurrentStep { get; set; } = -1;
    public List<StepRun> Steps { get; init; } = [];
    public List<InstanceEvent> History { get; init; } = [];

    /// <summary>Bumped on every committed change; the store refuses a write based on a stale revision.</summary>
    public int Revision { get; set; }

    [JsonIgnore] public bool IsOpen => State == InstanceState.Open;

    [JsonIgnore] public StepRun? Current => CurrentStep >= 0 && CurrentStep < Steps.Count ? Steps[CurrentStep] : null;

    public (StepRun Step, Assignment Assignment)? FindAssignment(string assignmentId)
    {
        foreach (var step in Steps)
            foreach (var a in step.Assignments)
                if (a.Id == assignmentId) return (step, a);
        return null;
    }

    /// <summary>Emails that hold the work right now: open assignees, or the requester while a question or a rejection is with them.</summary>
    public IEnumerable<string> CurrentOwners() => Current?.Holders(Requester) ?? [];

    public bool Involves(string email) =>
        string.Equals(Requester, email, StringComparison.OrdinalIgnoreCase)
        || Steps.Any(s => s.Assignments.Any(a => string.Equals(a.Assignee, email, StringComparison.OrdinalIgnoreCase)));

    public string Title(StepDefinition step) => Title(step, Requester);

    /// <summary>
    /// The step's title with its inputs filled in; <c>{{requester}}</c>, which the loader allows, reads as <paramref name="requesterName"/>.
    /// At most <see cref="TextLimits.Title"/> characters: a long input shows in full among the card's fields and in <c>status</c>.
    /// </summary>
    public string Title(StepDefinition step, string requesterName)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Inputs) values.TryAdd(key, value);
        values.TryAdd("requester", requesterName);
        return TextLimits.Clip(Template.Render(step.Title, values), TextLimits.Title);
    }

    /// <summary>The earliest moment something is due (a reminder, a deadline), or null; the scheduler's index.</summary>
    public DateTimeOffset? NextDueAt()
    {
        if (!IsOpen || Current is not { State: StepState.Active } run) return null;
        var times = run.Assignments.Where(a => a.IsOpen && a.NextRemindAt is not null).Select(a => a.NextRemindAt!.Value).ToList();
        if (run.DueAt is { } due && !run.OverdueHandled) times.Add(due);
        if (run.OpenQuestion?.NextRemindAt is { } nudge) times.Add(nudge);
        return times.Count == 0 ? null : times.Min();
    }
}

public sealed partial class StepRun
{
    public required string StepId { get; init; }
    public StepState State { get; set; } = StepState.Pending;
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public List<Assignment> Assignments { get; init; } = [];
    public string? Note { get; set; }

    /// <summary>How many times the deadline moved this step to someone else.</summary>
    public int Escalations { get; set; }

    /// <summary>Set once the deadline was acted on and nothing further is due for it.</summary>
    public bool OverdueHandled { get; set; }

    /// <summary>Why the step waits on an admin although someone holds it (overdue with nobody to escalate to); cleared by a reassign.</summary>
    public string? WaitingOnAdmin { get; set; }
}

/// <summary>A request to one person to decide a step; decided at most once.</summary>
public sealed class Assignment
{
    public required string Id { get; init; }
    public required string Assignee { get; init; }
    public required DateTimeOffset AssignedAt { get; init; }
    public Decision? Decision { get; set; }

    /// <summary>When this person is next nudged, unless they answer first.</summary>
    public DateTimeOffset? NextRemindAt { get; set; }

    /// <summary>The platform the card reached the assignee on ("slack", "teams"), once delivered.</summary>
    public string? DeliveredVia { get; set; }

    /// <summary>Set when someone else holds this step on this person's behalf (escalation source, delegation).</summary>
    public string? HandedFrom { get; set; }

    /// <summary>The person this assignee stands in for through a delegation; the card reads "on behalf of" them.</summary>
    public string? OnBehalfOf { get; set; }

    /// <summary>Why the card could not reach the assignee, once its delivery failed for good; cleared when it arrives.</summary>
    public string? DeliveryFailure { get; set; }
    public DateTimeOffset? DeliveryFailedAt { get; set; }

    /// <summary>Set when the assignment ended without this person's answer (others decided, cancelled).</summary>
    public string? ClosedReason { get; set; }

    [JsonIgnore] public bool IsOpen => Decision is null && ClosedReason is null;
}

public sealed record Decision(Verdict Verdict, string By, DateTimeOffset At, string? Comment, string? Via);

// Stored by name; new kinds go at the end.
public enum EventKind { Started, StepActivated, StepSkipped, Assigned, Decided, StepApproved, StepRejected, StepDone, Notified, Completed, Rejected, Cancelled, Unassignable, Nudged, Handoff, Overdue, TimedOut, CardDelivered, DeliveryFailed, InfoRequested, InfoAnswered, ReturnedToRequester, Resubmitted, Reassigned, Commented }

/// <summary>One line of an instance's history: what happened, who did it, when, and why.</summary>
public sealed record InstanceEvent(DateTimeOffset At, EventKind Kind, string? Actor, string? StepId, string Text, string? Via = null);
