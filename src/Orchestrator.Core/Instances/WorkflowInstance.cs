using System.Text.Json.Serialization;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Instances;

public enum InstanceState { Open, Completed, Rejected, Cancelled }

// Stored by name; new states go at the end.
public enum StepState { Pending, Active, Approved, Rejected, Done, Skipped, Notified, Cancelled, Returned }

public enum Verdict { Approve, Reject, Done }

/// <summary>
/// One run of a workflow. It carries the definition it started with, so later edits to the YAML file
/// never change a running instance. Only <see cref="Engine.WorkflowEngine"/> changes it, through the methods here and on its
/// steps, assignments, questions and returns, which refuse a move the current state does not allow with an
/// <see cref="InvalidTransitionException"/> (a closed request is not decided, a card is not decided twice).
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

    [JsonInclude] public InstanceState State { get; private set; } = InstanceState.Open;
    [JsonInclude] public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Index into <see cref="Steps"/> of the step that holds the work, or -1.</summary>
    [JsonInclude] public int CurrentStep { get; private set; } = -1;
    public List<StepRun> Steps { get; init; } = [];
    public List<InstanceEvent> History { get; init; } = [];

    /// <summary>Bumped on every committed change; the store refuses a write based on a stale revision.</summary>
    [JsonInclude] public int Revision { get; internal set; }

    [JsonIgnore] public bool IsOpen => State == InstanceState.Open;

    [JsonIgnore] public StepRun? Current => CurrentStep >= 0 && CurrentStep < Steps.Count ? Steps[CurrentStep] : null;

    /// <summary>Makes step <paramref name="index"/> the one that holds the work (-1: before the first); only while open.</summary>
    public void MoveTo(int index)
    {
        EnsureOpen();
        if (index < -1 || index >= Steps.Count)
            throw new InvalidTransitionException($"{Id} has no step {index + 1}; it has {Steps.Count}.");
        CurrentStep = index;
    }

    public void Complete(DateTimeOffset at) => Close(InstanceState.Completed, at);

    public void Reject(DateTimeOffset at) => Close(InstanceState.Rejected, at);

    public void Cancel(DateTimeOffset at) => Close(InstanceState.Cancelled, at);

    private void Close(InstanceState state, DateTimeOffset at)
    {
        EnsureOpen();
        State = state;
        ClosedAt = at;
    }

    private void EnsureOpen()
    {
        if (!IsOpen) throw new InvalidTransitionException($"{Id} is already {State.ToString().ToLowerInvariant()}.", closed: true);
    }

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
    [JsonInclude] public StepState State { get; private set; } = StepState.Pending;
    [JsonInclude] public DateTimeOffset? ActivatedAt { get; private set; }

    /// <summary>The step's deadline while it runs; null when it has none, or while its clock is stopped (a question is open).</summary>
    [JsonInclude] public DateTimeOffset? DueAt { get; private set; }
    [JsonInclude] public DateTimeOffset? ClosedAt { get; private set; }
    public List<Assignment> Assignments { get; init; } = [];
    [JsonInclude] public string? Note { get; private set; }

    /// <summary>How many times the deadline moved this step to someone else.</summary>
    [JsonInclude] public int Escalations { get; private set; }

    /// <summary>Set once the deadline was acted on and nothing further is due for it.</summary>
    [JsonInclude] public bool OverdueHandled { get; private set; }

    /// <summary>Why the step waits on an admin although someone holds it (overdue with nobody to escalate to); cleared by a reassign.</summary>
    [JsonInclude] public string? WaitingOnAdmin { get; private set; }

    [JsonIgnore] public bool IsFinished => State is StepState.Approved or StepState.Rejected or StepState.Done or StepState.Skipped or StepState.Notified or StepState.Cancelled;

    /// <summary>The step starts to hold the work; <paramref name="note"/> says why it waits on an admin when nobody can take it.</summary>
    public void Activate(DateTimeOffset at, DateTimeOffset? dueAt, string? note = null)
    {
        EnsureState("activated", StepState.Pending);
        State = StepState.Active;
        ActivatedAt = at;
        DueAt = dueAt;
        Note = note;
    }

    /// <summary>The step's condition is false: it never runs.</summary>
    public void Skip(string note)
    {
        EnsureState("skipped", StepState.Pending);
        State = StepState.Skipped;
        Note = note;
    }

    /// <summary>A notify step: its people were told, and it is over at once.</summary>
    public void Notified(DateTimeOffset at)
    {
        EnsureState("sent", StepState.Pending);
        State = StepState.Notified;
        ActivatedAt = ClosedAt = at;
    }

    /// <summary>Its decision is in (<see cref="StepState.Approved"/>, <see cref="StepState.Rejected"/>, <see cref="StepState.Done"/>).</summary>
    public void Decide(StepState outcome, DateTimeOffset at, string note)
    {
        if (outcome is not (StepState.Approved or StepState.Rejected or StepState.Done))
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A step is decided approved, rejected or done.");
        EnsureState("decided", StepState.Active);
        State = outcome;
        ClosedAt = at;
        Note = note;
    }

    /// <summary>The request was cancelled or withdrawn while this step held it (with the approvers or back with the requester).</summary>
    public void Cancel(DateTimeOffset at, string? note = null)
    {
        EnsureState("cancelled", StepState.Active, StepState.Returned);
        State = StepState.Cancelled;
        ClosedAt = at;
        if (note is not null) Note = note;
    }

    /// <summary>A rejection sent the step back to its requester: its clocks stop until they resubmit.</summary>
    public void ReturnToRequester(string note)
    {
        EnsureState("sent back", StepState.Active);
        State = StepState.Returned;
        Note = note;
        DueAt = null;
        foreach (var a in Assignments) a.NextRemindAt = null;
    }

    /// <summary>
    /// The requester resubmitted: the step runs again from the start. The round just ended stays in <see cref="Earlier"/>,
    /// and its clocks and escalations start over.
    /// </summary>
    public void Reopen(IReadOnlyList<InputChange> changes)
    {
        EnsureState("resubmitted", StepState.Returned);
        Changes = [.. changes];
        Earlier.AddRange(Assignments);
        Assignments.Clear();
        State = StepState.Pending;
        Note = null;
        ClosedAt = null;
        OverdueHandled = false;
        Escalations = 0;
    }

    /// <summary>Sets the deadline of the running step (a fresh one for a new holder, the rest of it when a question is answered); null stops it.</summary>
    public void MoveDeadline(DateTimeOffset? dueAt)
    {
        EnsureState("given a deadline", StepState.Active);
        DueAt = dueAt;
    }

    /// <summary>The deadline moved the step to someone else, who gets <paramref name="dueAt"/>.</summary>
    public void Escalated(DateTimeOffset? dueAt)
    {
        EnsureState("escalated", StepState.Active);
        Escalations++;
        DueAt = dueAt;
    }

    /// <summary>The passed deadline was acted on once; <paramref name="waitingOnAdmin"/> says why an admin is needed, when one is.</summary>
    public void DeadlineHandled(string? waitingOnAdmin = null)
    {
        EnsureState("marked overdue", StepState.Active);
        OverdueHandled = true;
        if (waitingOnAdmin is not null) WaitingOnAdmin = waitingOnAdmin;
    }

    /// <summary>An admin gave the step to someone new: it gets the step's full time again and leaves the admins' queue.</summary>
    public void HandedOver(DateTimeOffset? dueAt)
    {
        EnsureState("reassigned", StepState.Active);
        if (dueAt is not null) DueAt = dueAt;
        OverdueHandled = false;
        WaitingOnAdmin = null;
        Note = null;
    }

    private void EnsureState(string what, params StepState[] allowed)
    {
        if (allowed.Contains(State)) return;
        throw new InvalidTransitionException(IsFinished
            ? $"Step {StepId} is already {State.ToString().ToLowerInvariant()}{(Note is null ? "" : $" ({Note})")}, so it cannot be {what}."
            : $"Step {StepId} is {State.ToString().ToLowerInvariant()}, so it cannot be {what}.");
    }
}

/// <summary>A request to one person to decide a step; decided at most once.</summary>
public sealed class Assignment
{
    public required string Id { get; init; }
    public required string Assignee { get; init; }
    public required DateTimeOffset AssignedAt { get; init; }
    [JsonInclude] public Decision? Decision { get; private set; }

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
    [JsonInclude] public string? ClosedReason { get; private set; }

    [JsonIgnore] public bool IsOpen => Decision is null && ClosedReason is null;

    /// <summary>Records this person's answer; a card is decided once, and not after it closed without them.</summary>
    public void Decide(Decision decision)
    {
        EnsureOpen("decided");
        Decision = decision;
    }

    /// <summary>The card ends without this person's answer (someone else decided, cancelled, moved on).</summary>
    public void Close(string reason)
    {
        EnsureOpen("closed");
        ClosedReason = reason;
    }

    private void EnsureOpen(string what)
    {
        if (Decision is { } d)
        {
            var past = d.Verdict switch { Verdict.Approve => "approved", Verdict.Reject => "rejected", _ => "marked done" };
            throw new InvalidTransitionException($"Already decided: this card was {past} at {d.At:yyyy-MM-dd HH:mm} UTC, so it cannot be {what} again.");
        }
        if (ClosedReason is { } why) throw new InvalidTransitionException($"Already decided: {why}.");
    }
}

public sealed record Decision(Verdict Verdict, string By, DateTimeOffset At, string? Comment, string? Via);

// Stored by name; new kinds go at the end.
public enum EventKind { Started, StepActivated, StepSkipped, Assigned, Decided, StepApproved, StepRejected, StepDone, Notified, Completed, Rejected, Cancelled, Unassignable, Nudged, Handoff, Overdue, TimedOut, CardDelivered, DeliveryFailed, InfoRequested, InfoAnswered, ReturnedToRequester, Resubmitted, Reassigned, Commented }

/// <summary>One line of an instance's history: what happened, who did it, when, and why.</summary>
public sealed record InstanceEvent(DateTimeOffset At, EventKind Kind, string? Actor, string? StepId, string Text, string? Via = null);
