using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

/// <summary>
/// Starts instances and records decisions. Each call loads, checks, changes and commits one instance together
/// with the effects the change causes; a commit on a stale revision is retried from a fresh read, so concurrent
/// or repeated clicks record one decision.
/// </summary>
public sealed partial class WorkflowEngine(Catalog catalog, IInstanceStore store, TimeProvider time)
{
    private const int MaxAttempts = 8;

    /// <param name="externalRef">The caller's own reference (a ticket id) kept with the instance, e.g. from the HTTP API.</param>
    /// <param name="startedBy">The system that starts it for the requester (<c>system:jira</c>); null when the requester starts it.</param>
    public StartResult Start(string workflowId, IReadOnlyDictionary<string, string> rawInputs, string requester, string? via, string? externalRef = null, string? startedBy = null)
    {
        var definition = catalog.Find(workflowId);
        if (definition is null) return new StartResult(StartOutcome.UnknownWorkflow);

        var validation = InputValidator.Validate(definition, rawInputs);
        if (validation.Errors.Count > 0)
            return new StartResult(StartOutcome.InvalidInputs, Errors: validation.Errors, Values: validation.Values);
        if (validation.MissingRequired.Count > 0)
            return new StartResult(StartOutcome.MissingInputs, Missing: validation.MissingRequired, Values: validation.Values);

        var number = store.NextNumber(definition.Id);
        var now = time.GetUtcNow();
        var instance = new WorkflowInstance
        {
            Id = $"{definition.Id}-{number}",
            WorkflowId = definition.Id,
            Number = number,
            Definition = definition,
            Inputs = new Dictionary<string, string>(validation.Values, StringComparer.OrdinalIgnoreCase),
            Requester = requester.ToLowerInvariant(),
            StartedAt = now,
            StartedVia = via,
            StartedBy = startedBy,
            ExternalRef = string.IsNullOrWhiteSpace(externalRef) ? null : externalRef.Trim(),
            Steps = definition.Steps.Select(s => new StepRun { StepId = s.Id }).ToList(),
            Revision = 1,
        };
        var change = Begin(instance, now);
        instance.History.Add(startedBy is null
            ? new InstanceEvent(now, EventKind.Started, instance.Requester, null, $"Started by {change.Name(instance.Requester)}", via)
            : new InstanceEvent(now, EventKind.Started, startedBy, null, $"Started by {startedBy} for {change.Name(instance.Requester)}", via));
        Advance(change);
        store.Insert(instance, change.Effects());
        return new StartResult(StartOutcome.Started, instance);
    }

    public DecideResult Decide(string instanceId, string assignmentId, string actor, Verdict verdict, string? comment, string? via)
    {
        // Emails are stored lower-case everywhere (requesters, assignees); history must not be the exception.
        actor = actor.Trim().ToLowerInvariant();
        return Mutate(instanceId,
            change => CheckDecision(change, assignmentId, actor, verdict, comment),
            change =>
            {
                ApplyDecision(change, assignmentId, actor, verdict, comment?.Trim(), via);
                return DecisionText(verdict, change.Instance);
            });
    }

    /// <summary>Whether <paramref name="actor"/> may give this verdict now; null when allowed, else why not.</summary>
    public DecideResult? Check(string instanceId, string assignmentId, string actor, Verdict verdict)
    {
        var instance = store.Get(instanceId);
        if (instance is null) return new DecideResult(DecideOutcome.NotFound, $"There is no request {instanceId}.");
        var change = Begin(instance, time.GetUtcNow());
        return CheckDecision(change, assignmentId, actor, verdict, comment: verdict == Verdict.Reject ? "(asked next)" : null);
    }

    /// <summary>Records where an assignment's card went (or that it could not go anywhere), for status and the history.</summary>
    public void RecordDelivery(string instanceId, string assignmentId, string? platform, string? failure = null) =>
        Mutate(instanceId,
            change =>
            {
                var instance = change.Instance;
                if (instance.FindAssignment(assignmentId) is not var (run, assignment)) return Refuse(false);
                if (platform is not null && assignment.DeliveredVia == platform) return Refuse(false);
                var now = change.Now;
                var name = catalog.People.NameOf(assignment.Assignee);
                if (platform is not null)
                {
                    assignment.DeliveredVia = platform;
                    assignment.DeliveryFailure = null;
                    assignment.DeliveryFailedAt = null;
                    instance.History.Add(new InstanceEvent(now, EventKind.CardDelivered, null, run.StepId, $"Card delivered to {name}", platform));
                }
                else
                {
                    assignment.DeliveryFailure = failure ?? "the card could not be delivered";
                    assignment.DeliveryFailedAt = now;
                    instance.History.Add(new InstanceEvent(now, EventKind.DeliveryFailed, null, run.StepId, $"Card could not be delivered to {name}: {failure}"));
                }
                return Commit(true);
            },
            missing: () => false,
            // The instance is set aside for an admin; the card went out all the same.
            notSaved: _ => false,
            refused: (_, _) => false);

    /// <summary>Cancels an open instance; only its requester or an admin may.</summary>
    public DecideResult Cancel(string instanceId, string actor, string? reason, string? via)
    {
        actor = actor.Trim().ToLowerInvariant();
        return Mutate(instanceId,
            change =>
            {
                var instance = change.Instance;
                var people = catalog.People;
                if (!string.Equals(instance.Requester, actor, StringComparison.OrdinalIgnoreCase) && !people.IsAdmin(actor))
                    return new DecideResult(DecideOutcome.NotAllowed, $"Only {people.NameOf(instance.Requester)} (who asked) or an admin can cancel {instance.Id}.");
                if (!instance.IsOpen)
                    return new DecideResult(DecideOutcome.Closed, $"{instance.Id} is already {instance.State.ToString().ToLowerInvariant()}.");
                return TooLong("The reason", reason?.Trim(), TextLimits.Comment);
            },
            change =>
            {
                var instance = change.Instance;
                var now = change.Now;
                var why = string.IsNullOrWhiteSpace(reason) ? "" : $": {reason.Trim()}";
                if (instance.Current is { } run)
                {
                    run.Cancel(now);
                    TellHolders(change, run, actor, $"was cancelled by {change.Name(actor)}{why}. Nothing more is needed from you.");
                    CloseOpenAssignments(change, run, $"Cancelled by {change.Name(actor)}{why}", CardStatus.Closed, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
                }
                instance.Cancel(now);
                instance.History.Add(new InstanceEvent(now, EventKind.Cancelled, actor, instance.Current?.StepId, $"Cancelled by {change.Name(actor)}{why}", via));
                if (!string.Equals(actor, instance.Requester, StringComparison.OrdinalIgnoreCase))
                    change.TellRequester($"{instance.Id} was cancelled by {change.Name(actor)}{why}.");
                return $"Cancelled {instance.Id}.";
            });
    }

    /// <summary>
    /// The one commit path. Loads the instance, lets <paramref name="checkAndApply"/> refuse or change it, and commits the change
    /// with the effects it caused on the revision it was read at. A commit on a stale revision starts again from a fresh read,
    /// so concurrent or repeated clicks record one decision.
    /// </summary>
    /// <param name="missing">The answer when there is no such instance.</param>
    /// <param name="notSaved">The answer when the store cannot keep the change; null lets <see cref="InstanceNotSavedException"/> through.</param>
    /// <param name="refused">The answer when the instance refuses a move (<see cref="InvalidTransitionException"/>), given a fresh read; null lets it through.</param>
    /// <param name="now">When the change happens; the clock's time, read on each attempt, when null.</param>
    private T Mutate<T>(
        string instanceId,
        Func<Change, Mutation<T>> checkAndApply,
        Func<T> missing,
        Func<InstanceNotSavedException, T>? notSaved,
        Func<WorkflowInstance?, InvalidTransitionException, T>? refused,
        DateTimeOffset? now = null)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var instance = store.Get(instanceId);
            if (instance is null) return missing();
            var change = Begin(instance, now ?? time.GetUtcNow());
            var expected = instance.Revision;
            Mutation<T> step;
            try
            {
                step = checkAndApply(change);
            }
            catch (InvalidTransitionException e) when (refused is not null)
            {
                // A move the checks let through but the instance refuses: the half-made change is dropped with this read.
                return refused(store.Get(instanceId), e);
            }
            if (!step.Save) return step.Result;
            instance.Revision = expected + 1;
            try
            {
                if (store.TryUpdate(instance, expected, change.Effects())) return step.Result;
            }
            catch (InstanceNotSavedException e) when (notSaved is not null)
            {
                return notSaved(e);
            }
        }
        throw new InvalidOperationException($"Could not change {instanceId}: the instance kept changing.");
    }

    /// <summary>
    /// <see cref="Mutate{T}"/> for the changes people make: <paramref name="check"/> refuses (null lets it through), then
    /// <paramref name="apply"/> changes the instance and says what was recorded.
    /// </summary>
    /// <param name="noun">How a missing instance is named: "There is no request X."</param>
    private DecideResult Mutate(string instanceId, Func<Change, DecideResult?> check, Func<Change, string> apply, string noun = "request") =>
        Mutate(instanceId,
            change => check(change) is { } refusal
                ? Refuse(refusal)
                : Commit(new DecideResult(DecideOutcome.Recorded, apply(change), change.Instance)),
            missing: () => new DecideResult(DecideOutcome.NotFound, $"There is no {noun} {instanceId}."),
            notSaved: DecideResult.NotSaved,
            refused: (fresh, e) => new DecideResult(e.Closed ? DecideOutcome.Closed : DecideOutcome.AlreadyDecided, e.Message, fresh));

    /// <summary>What one attempt of a change came to: <see cref="Save"/> commits it and answers <see cref="Result"/>; otherwise nothing is saved.</summary>
    private readonly record struct Mutation<T>(T Result, bool Save);

    private static Mutation<T> Commit<T>(T result) => new(result, true);

    private static Mutation<T> Refuse<T>(T result) => new(result, false);

    private static DecideResult? CheckDecision(Change change, string assignmentId, string actor, Verdict verdict, string? comment)
    {
        var instance = change.Instance;
        if (instance.FindAssignment(assignmentId) is not var (run, assignment))
            return new DecideResult(DecideOutcome.NotFound, $"That card no longer belongs to {instance.Id}.");

        if (!string.Equals(assignment.Assignee, actor, StringComparison.OrdinalIgnoreCase) && !change.StandsInFor(actor, assignment.Assignee))
            return new DecideResult(DecideOutcome.NotAssignee,
                $"This card is for {change.Name(assignment.Assignee)}; only they can answer it. Nothing was changed.");

        if (assignment.Decision is { } d)
            return new DecideResult(DecideOutcome.AlreadyDecided,
                $"Already decided: you {Past(d.Verdict)} this at {change.TimeFor(actor, d.At)}.", instance);

        // Someone else's answer closed the step: name them, even if that answer also closed the whole request.
        if (run.State is StepState.Approved or StepState.Rejected or StepState.Done && run.Note is not null)
            return new DecideResult(DecideOutcome.AlreadyDecided, $"Already decided: {run.Note}.", instance);

        if (!instance.IsOpen)
            return new DecideResult(DecideOutcome.Closed, $"{instance.Id} is already {instance.State.ToString().ToLowerInvariant()}.", instance);

        if (!assignment.IsOpen || run.State != StepState.Active)
            return new DecideResult(DecideOutcome.AlreadyDecided, $"Already decided: {run.Note ?? assignment.ClosedReason ?? "this step is closed"}.", instance);

        if (WaitingForAnswer(change, run, assignment) is { } waiting) return waiting;

        var step = change.Definition(run);
        var allowed = step.Kind == StepKind.Task ? verdict == Verdict.Done : verdict is Verdict.Approve or Verdict.Reject;
        if (!allowed)
            return new DecideResult(DecideOutcome.NotAllowed,
                step.Kind == StepKind.Task ? "This is a task: mark it done." : "This step takes approve or reject.");

        if (verdict == Verdict.Reject && string.IsNullOrWhiteSpace(comment))
            return new DecideResult(DecideOutcome.ReasonRequired, "A reason is required to reject.");
        return TooLong(verdict == Verdict.Reject ? "The reason" : "The comment", comment?.Trim(), TextLimits.Comment);
    }

    /// <summary>A refusal naming <paramref name="what"/> when <paramref name="text"/> is longer than <paramref name="limit"/>, else null.</summary>
    private static DecideResult? TooLong(string what, string? text, int limit) =>
        TextLimits.Exceeded(what, text, limit) is { } message
            ? new DecideResult(DecideOutcome.TooLong, $"{message} Shorten it; nothing was changed.")
            : null;

    private void ApplyDecision(Change change, string assignmentId, string actor, Verdict verdict, string? comment, string? via)
    {
        var instance = change.Instance;
        var (run, assignment) = instance.FindAssignment(assignmentId)!.Value;
        var step = change.Definition(run);
        var now = change.Now;
        assignment.Decide(new Decision(verdict, assignment.Assignee, now, comment, via));
        var because = string.IsNullOrEmpty(comment) ? "" : $": {comment}";
        instance.History.Add(new InstanceEvent(now, EventKind.Decided, actor, run.StepId, $"{change.Name(actor)} {Past(verdict)}{because}", via));

        var outcome = Evaluate(step, run);
        var progress = Progress(step, run);
        var byLine = $"{Capitalised(Past(verdict))} by {change.Name(actor)} · {change.TimeFor(actor, now)}";
        change.UpdateCard(run, assignment, StatusOf(verdict), byLine, comment, outcome is null ? progress : null);

        switch (outcome)
        {
            case null:
                foreach (var other in run.Assignments.Where(a => a.IsOpen))
                    change.UpdateCard(run, other, CardStatus.Open, null, null, progress);
                change.TellRequester($"{change.Name(actor)} {Past(verdict)} {instance.Id} ({step.Id}); {progress}.");
                break;
            case StepState.Rejected when step.OnReject == RejectAction.BackToRequester:
                ReturnToRequester(change, run, step, verdict == Verdict.Reject ? actor : null, comment);
                break;
            case StepState.Rejected:
                run.Decide(StepState.Rejected, now, step.Mode.Kind == DecisionModeKind.Quorum
                    ? $"the quorum can no longer be reached ({change.Name(actor)} {Past(verdict)}{because})"
                    : verdict == Verdict.Reject ? $"rejected by {change.Name(actor)}{because}" : "the quorum can no longer be reached");
                CloseOpenAssignments(change, run, $"Rejected: {run.Note}", CardStatus.Rejected, comment);
                instance.History.Add(new InstanceEvent(now, EventKind.StepRejected, actor, run.StepId, $"Step {step.Id} {run.Note}"));
                instance.Reject(now);
                instance.History.Add(new InstanceEvent(now, EventKind.Rejected, actor, run.StepId, $"Rejected at {step.Id}"));
                change.TellRequester($"❌ {instance.Id} ({instance.Definition.Name}) was rejected at {step.Id}: {run.Note}.");
                break;
            default:
                run.Decide(outcome.Value, now, $"{Past(verdict)} by {change.Name(actor)}");
                CloseOpenAssignments(change, run, $"Decided by {change.Name(actor)}: {Past(verdict)}", StatusOf(verdict), null);
                instance.History.Add(new InstanceEvent(now, outcome == StepState.Done ? EventKind.StepDone : EventKind.StepApproved, actor, run.StepId, $"Step {step.Id} {run.Note}"));
                change.TellRequester($"{change.Name(actor)} {Past(verdict)} {instance.Id} ({step.Id}).");
                Advance(change);
                break;
        }
    }

    private static void CloseOpenAssignments(Change change, StepRun run, string outcome, CardStatus status, string? reason)
    {
        foreach (var other in run.Assignments.Where(a => a.IsOpen))
        {
            other.Close(outcome);
            change.UpdateCard(run, other, status == CardStatus.Open ? CardStatus.Closed : status, outcome, reason, null);
        }
        CloseRequesterCards(change, run, outcome);
    }

    /// <summary>The step's state once this decision counts, or null while it still waits for others.</summary>
    private static StepState? Evaluate(StepDefinition step, StepRun run)
    {
        var yes = run.Assignments.Count(a => a.Decision?.Verdict is Verdict.Approve or Verdict.Done);
        var no = run.Assignments.Count(a => a.Decision?.Verdict == Verdict.Reject);
        var open = run.Assignments.Count(a => a.IsOpen);
        var passed = step.Kind == StepKind.Task ? StepState.Done : StepState.Approved;
        return step.Mode.Kind switch
        {
            DecisionModeKind.Any => no > 0 ? StepState.Rejected : yes > 0 ? passed : null,
            DecisionModeKind.All => no > 0 ? StepState.Rejected : open == 0 ? passed : null,
            _ => yes >= step.Mode.Quorum ? passed : yes + open < step.Mode.Quorum ? StepState.Rejected : null,
        };
    }

    private static string Progress(StepDefinition step, StepRun run)
    {
        var yes = run.Assignments.Count(a => a.Decision?.Verdict is Verdict.Approve or Verdict.Done);
        var needed = step.Mode.Kind switch
        {
            DecisionModeKind.All => run.Assignments.Count,
            DecisionModeKind.Quorum => step.Mode.Quorum,
            _ => 1,
        };
        return $"{yes} of {needed} {(step.Kind == StepKind.Task ? "done" : "approvals")}";
    }

    /// <summary>Moves to the next step whose condition holds; completes the instance when none is left.</summary>
    private static void Advance(Change change)
    {
        var instance = change.Instance;
        var now = change.Now;
        for (var i = instance.CurrentStep + 1; i < instance.Steps.Count; i++)
        {
            var run = instance.Steps[i];
            var step = instance.Definition.Steps[i];
            instance.MoveTo(i);
            if (step.When is { } when && !when.Evaluate(instance.Inputs))
            {
                run.Skip($"skipped: {when.Source} is false");
                instance.History.Add(new InstanceEvent(now, EventKind.StepSkipped, null, step.Id, $"Step {step.Id} skipped ({when.Source} is false)"));
                continue;
            }

            var people = ResolveAssignees(step.Assignees, instance, change.People);
            var title = instance.Title(step, change.Name(instance.Requester));
            if (step.Kind == StepKind.Notify)
            {
                foreach (var person in people)
                    change.Add(new NotifyPerson { Recipient = person, InstanceId = instance.Id, Text = $"{title} ({instance.Id}, {instance.Definition.Name})" });
                run.Notified(now);
                instance.History.Add(new InstanceEvent(now, EventKind.Notified, null, step.Id, $"Notified {change.Names(people)}: {title}"));
                continue;
            }

            var unassignable = people.Count == 0
                ? $"nobody to assign: {string.Join(", ", step.Assignees)} resolves to no one"
                : step.Mode.Kind == DecisionModeKind.Quorum && people.Count < step.Mode.Quorum
                    ? $"quorum {step.Mode.Quorum} needs more people than {string.Join(", ", step.Assignees)} has ({people.Count})"
                    : null;
            run.Activate(now, step.Due is { } due ? now + due : null, unassignable);
            if (unassignable is not null)
            {
                instance.History.Add(new InstanceEvent(now, EventKind.Unassignable, null, step.Id, $"Step {step.Id}: {run.Note}"));
                change.TellRequester($"⚠️ {instance.Id} is waiting on an admin: step {step.Id} has {run.Note}.");
                foreach (var admin in change.People.WithRole("admin"))
                    change.Add(new NotifyPerson { Recipient = admin.Email, InstanceId = instance.Id, Text = $"⚠️ {instance.Id} is stuck at step {step.Id}: {run.Note}." });
                return;
            }

            // Delegations may send a card to someone else: name who actually holds the step.
            var holders = people.Select(person => Assign(change, run, step, person, handedFrom: null).Assignee).Distinct().ToList();
            instance.History.Add(new InstanceEvent(now, EventKind.StepActivated, null, step.Id, $"Step {step.Id} assigned to {change.Names(holders)}"));
            if (instance.History.Count(e => e.Kind == EventKind.StepActivated) > 1)
                change.TellRequester($"{instance.Id} is now waiting on {change.Names(holders)} ({step.Id}).");
            return;
        }

        instance.Complete(now);
        instance.History.Add(new InstanceEvent(now, EventKind.Completed, null, null, "Completed"));
        change.TellRequester($"✅ {instance.Id} ({instance.Definition.Name}) is approved.");
    }

    /// <summary>Gives one person an assignment of the current step and sends them its card.</summary>
    private static Assignment Assign(Change change, StepRun run, StepDefinition step, string person, string? handedFrom)
    {
        var now = change.Now;
        var onBehalfOf = change.StandIn(run, ref person);
        var assignment = new Assignment
        {
            Id = $"{step.Id}.{run.Earlier.Count + run.Assignments.Count + 1}",
            Assignee = person,
            AssignedAt = now,
            HandedFrom = onBehalfOf ?? handedFrom,
            OnBehalfOf = onBehalfOf,
            NextRemindAt = step.Remind is { } every ? now + every : null,
        };
        run.Assignments.Add(assignment);
        change.Add(new AskDecision { Recipient = person, InstanceId = change.Instance.Id, Card = change.Card(run, assignment, CardStatus.Open, null, null, null) });
        return assignment;
    }

    internal static IReadOnlyList<string> ResolveAssignees(IEnumerable<AssigneeSpec> specs, WorkflowInstance instance, PeopleDirectory people)
    {
        var result = new List<string>();
        foreach (var spec in specs)
        {
            switch (spec.Kind)
            {
                case AssigneeKind.Requester: result.Add(instance.Requester); break;
                case AssigneeKind.Manager when people.ManagerOf(instance.Requester) is { } m: result.Add(m.Email); break;
                case AssigneeKind.Role: result.AddRange(people.WithRole(spec.Value!).Select(p => p.Email)); break;
                case AssigneeKind.Person: result.Add(spec.Value!); break;
                case AssigneeKind.System: result.Add($"system:{spec.Value}"); break;
            }
        }
        return result.Select(e => e.ToLowerInvariant()).Distinct().ToList();
    }

    private static string DecisionText(Verdict verdict, WorkflowInstance instance) => $"You {Past(verdict)} {instance.Id}.";

    internal static string Past(Verdict verdict) => verdict switch
    {
        Verdict.Approve => "approved",
        Verdict.Reject => "rejected",
        _ => "marked done",
    };

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static CardStatus StatusOf(Verdict verdict) => verdict switch
    {
        Verdict.Approve => CardStatus.Approved,
        Verdict.Reject => CardStatus.Rejected,
        _ => CardStatus.Done,
    };

    /// <summary>The effects of one change, collected while it is made and committed with it.</summary>
    private sealed partial class Change(WorkflowInstance instance, PeopleDirectory people, DateTimeOffset now)
    {
        private readonly List<Effect> _effects = [];
        private readonly List<string> _forRequester = [];

        public WorkflowInstance Instance => instance;
        public PeopleDirectory People => people;
        public DateTimeOffset Now => now;

        public string Name(string email) => people.NameOf(email);

        public string Names(IEnumerable<string> emails) => string.Join(", ", emails.Select(Name));

        public string TimeFor(string email, DateTimeOffset at) => TimeText.Format(at, people.ZoneOf(email));

        public StepDefinition Definition(StepRun run) => instance.Definition.Steps[instance.Steps.IndexOf(run)];

        public void Add(Effect effect) => _effects.Add(effect);

        public void TellRequester(string text) => _forRequester.Add(text);

        public void UpdateCard(StepRun run, Assignment assignment, CardStatus status, string? outcome, string? reason, string? progress) =>
            _effects.Add(new UpdateCard { Recipient = assignment.Assignee, InstanceId = instance.Id, Card = Card(run, assignment, status, outcome, reason, progress) });

        public CardModel Card(StepRun run, Assignment assignment, CardStatus status, string? outcome, string? reason, string? progress)
        {
            var step = Definition(run);
            if (status == CardStatus.Open && WaitingOutcome(this, run, assignment) is { } waiting) (status, outcome) = (CardStatus.Waiting, waiting);
            return new CardModel
            {
                InstanceId = instance.Id,
                AssignmentId = assignment.Id,
                StepId = step.Id,
                Kind = step.Kind == StepKind.Task ? CardKind.Task : CardKind.Approval,
                Title = instance.Title(step, Name(instance.Requester)),
                WorkflowName = instance.Definition.Name,
                RequestedBy = Name(instance.Requester),
                OnBehalfOf = assignment.OnBehalfOf is { } absent ? Name(absent) : null,
                Fields = instance.Definition.Inputs
                    .Where(i => instance.Inputs.ContainsKey(i.Id))
                    .Select(i => new CardField(i.Label, i.Type == InputType.Person ? Name(instance.Inputs[i.Id]) : instance.Inputs[i.Id]))
                    .ToList(),
                DueAt = run.DueAt,
                Status = status,
                Outcome = outcome,
                Reason = reason,
                Progress = progress,
                Exchanges = ExchangesOf(instance, run, people),
                Changes = ChangesOf(run),
            };
        }

        /// <summary>All effects, with one message to the requester summing up what happened.</summary>
        public IReadOnlyList<Effect> Effects()
        {
            // A system assignee has no chat to reach: it finds its work through the API and learns of changes by webhook.
            var effects = _effects.Where(e => !IsSystem(e.Recipient)).ToList();
            if (_forRequester.Count == 0) return effects;
            return [.. effects, new NotifyPerson { Recipient = instance.Requester, InstanceId = instance.Id, Text = string.Join("\n", _forRequester) }];
        }
    }
}
