using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Engine;

public enum TickOutcome { NothingDue, Processed, NotFound }

/// <summary>What one tick did to one instance; a tick run twice does nothing the second time.</summary>
public sealed record TickResult(TickOutcome Outcome, int Nudges = 0, int Handoffs = 0, DateTimeOffset? NextDueAt = null);

public sealed partial class WorkflowEngine
{
    /// <summary>Processes what is due on an instance at the clock's current time (see <see cref="Tick(string, DateTimeOffset)"/>).</summary>
    public TickResult Tick(string instanceId) => Tick(instanceId, time.GetUtcNow());

    /// <summary>
    /// Processes what is due on an instance at <paramref name="now"/>: nudges owners whose reminder fell due (inside their
    /// own working hours), and acts on a passed deadline as the step's <c>on_timeout</c> says. Idempotent: the due
    /// times move on with the commit, and a tick on a stale revision retries on fresh state. The caller (a scheduler job)
    /// reads its clock once and hands the same moment to every instance of its pass.
    /// </summary>
    public TickResult Tick(string instanceId, DateTimeOffset now) =>
        Mutate(instanceId,
            change =>
            {
                var instance = change.Instance;
                var now = change.Now;
                if (instance.NextDueAt() is not { } due || due > now) return Refuse(new TickResult(TickOutcome.NothingDue, NextDueAt: instance.NextDueAt()));

                var run = instance.Current!;
                var step = change.Definition(run);
                var handoffs = 0;
                if (run.DueAt is { } deadline && deadline <= now && !run.OverdueHandled)
                    handoffs = OnDeadline(change, run, step);
                var nudges = instance.IsOpen && run.State == StepState.Active ? Remind(change, run, step) + RemindToAnswer(change, run, step) : 0;
                return Commit(new TickResult(TickOutcome.Processed, nudges, handoffs, instance.NextDueAt()));
            },
            missing: () => new TickResult(TickOutcome.NotFound),
            // The scheduler sets the instance aside and goes on with the others; a refused move there is a bug to hear about.
            notSaved: null,
            refused: null,
            now: now);

    private static int Remind(Change change, StepRun run, StepDefinition step)
    {
        var instance = change.Instance;
        var now = change.Now;
        var nudges = 0;
        foreach (var a in run.Assignments.Where(a => a.IsOpen && a.NextRemindAt <= now))
        {
            var zone = change.People.ZoneOf(a.Assignee);
            var hours = instance.Definition.BusinessHours;
            if (hours is not null && !hours.IsWithin(now, zone))
            {
                // Outside the recipient's working hours: wait for their next working moment instead of nudging now.
                a.NextRemindAt = hours.NextWorkingMoment(now, zone);
                continue;
            }
            var waiting = now - a.AssignedAt;
            var dueText = run.DueAt is { } due ? $", due {TimeText.Format(due, zone)}" : "";
            change.Add(new RemindPerson
            {
                Recipient = a.Assignee,
                InstanceId = instance.Id,
                AssignmentId = a.Id,
                Text = $"⏰ Reminder: {instance.Title(step, change.Name(instance.Requester))} ({instance.Id}) has waited for you {Durations.Format(Round(waiting))}{dueText}.",
            });
            instance.History.Add(new InstanceEvent(now, EventKind.Nudged, null, run.StepId, $"Nudged {change.Name(a.Assignee)}"));
            a.NextRemindAt = step.Remind is { } every ? now + every : null;
            nudges++;
        }
        return nudges;
    }

    private static TimeSpan Round(TimeSpan t) => t < TimeSpan.FromMinutes(1)
        ? TimeSpan.FromSeconds(Math.Max(1, Math.Round(t.TotalSeconds)))
        : t < TimeSpan.FromHours(1) ? TimeSpan.FromMinutes(Math.Round(t.TotalMinutes)) : TimeSpan.FromHours(Math.Round(t.TotalHours));

    /// <summary>Acts on a passed deadline; returns how many assignments moved to someone else.</summary>
    private int OnDeadline(Change change, StepRun run, StepDefinition step)
    {
        var instance = change.Instance;
        var now = change.Now;
        instance.History.Add(new InstanceEvent(now, EventKind.Overdue, null, run.StepId, $"Step {step.Id} passed its deadline"));
        switch (step.OnTimeout)
        {
            case TimeoutAction.Escalate:
                return Escalate(change, run, step);
            case TimeoutAction.Approve:
            case TimeoutAction.Reject:
                CloseOnDeadline(change, run, step, step.OnTimeout == TimeoutAction.Approve);
                return 0;
            case TimeoutAction.Cancel:
                run.Cancel(now, "cancelled: deadline passed");
                CloseOpenAssignments(change, run, "Cancelled: the deadline passed", CardStatus.Closed, null);
                instance.Cancel(now);
                instance.History.Add(new InstanceEvent(now, EventKind.Cancelled, null, run.StepId, $"Cancelled: step {step.Id} passed its deadline"));
                change.TellRequester($"{instance.Id} was cancelled: step {step.Id} passed its deadline.");
                return 0;
            default:
                // notify, or no on_timeout at all: say it is overdue once, to everyone who can act, and keep waiting.
                run.DeadlineHandled();
                var owners = instance.CurrentOwners().ToList();
                foreach (var owner in owners)
                    change.Add(new NotifyPerson { Recipient = owner, InstanceId = instance.Id, Text = $"⚠️ {instance.Title(step, change.Name(instance.Requester))} ({instance.Id}) is overdue and still waits for you." });
                change.TellRequester($"⚠️ {instance.Id} is overdue at {step.Id}, still waiting on {change.Names(owners)}.");
                return 0;
        }
    }

    private void CloseOnDeadline(Change change, StepRun run, StepDefinition step, bool approve)
    {
        var instance = change.Instance;
        var now = change.Now;
        instance.History.Add(new InstanceEvent(now, EventKind.TimedOut, null, run.StepId, $"Step {step.Id} {(approve ? "approved" : "rejected")} automatically: deadline passed"));
        if (approve)
        {
            run.Decide(step.Kind == StepKind.Task ? StepState.Done : StepState.Approved, now, "approved automatically when the deadline passed");
            CloseOpenAssignments(change, run, "Approved automatically: the deadline passed", CardStatus.Approved, null);
            change.TellRequester($"{instance.Id} ({step.Id}) was approved automatically: the deadline passed.");
            Advance(change);
            return;
        }
        run.Decide(StepState.Rejected, now, "rejected automatically: the deadline passed");
        CloseOpenAssignments(change, run, "Rejected automatically: the deadline passed", CardStatus.Rejected, null);
        instance.Reject(now);
        instance.History.Add(new InstanceEvent(now, EventKind.Rejected, null, run.StepId, $"Rejected at {step.Id}"));
        change.TellRequester($"❌ {instance.Id} ({instance.Definition.Name}) was rejected at {step.Id}: the deadline passed.");
    }

    /// <summary>
    /// Hands each open assignment to the next person up: first <c>escalate_to</c>, then the manager of whoever holds it,
    /// ending with the admins. Both sides are told; the old card says where the work went.
    /// </summary>
    private int Escalate(Change change, StepRun run, StepDefinition step)
    {
        var instance = change.Instance;
        var now = change.Now;
        var people = change.People;
        var why = $"overdue since {TimeText.Format(run.DueAt!.Value, TimeZoneInfo.Utc)}";
        var handoffs = new List<(Assignment From, List<string> To)>();
        var nowhere = new List<string>();
        foreach (var from in run.Assignments.Where(a => a.IsOpen).ToList())
        {
            var targets = run.Escalations == 0 && step.EscalateTo.Count > 0
                ? ResolveEscalation(step.EscalateTo, from.Assignee, instance, people)
                : people.ManagerOf(from.Assignee) is { } manager ? [manager.Email] : [];
            if (targets.Count == 0 && !people.IsAdmin(from.Assignee))
                targets = people.WithRole("admin").Select(p => p.Email).ToList();
            targets = targets.Where(t => !string.Equals(t, from.Assignee, StringComparison.OrdinalIgnoreCase)
                && !run.Assignments.Any(a => a.IsOpen && string.Equals(a.Assignee, t, StringComparison.OrdinalIgnoreCase))
                && !handoffs.Any(h => h.To.Contains(t, StringComparer.OrdinalIgnoreCase))).ToList();
            if (targets.Count == 0)
            {
                nowhere.Add(from.Assignee);
                continue;
            }

            from.Close($"Moved to {change.Names(targets)}: {why}");
            change.UpdateCard(run, from, CardStatus.Closed, $"Moved to {change.Names(targets)} · {change.TimeFor(from.Assignee, now)}", "The deadline passed.", null);
            handoffs.Add((from, targets.ToList()));
        }

        if (handoffs.Count > 0)
        {
            // Before the new cards are drawn: they must show the new owner's own deadline, not the one that just passed.
            run.Escalated(step.Due is { } due ? now + due : null);
        }
        else
        {
            // Nothing moved (nobody left, or nobody held the step): act once, or every tick would find it due again.
            run.DeadlineHandled();
        }

        var moved = 0;
        foreach (var (from, targets) in handoffs)
        {
            foreach (var target in targets)
            {
                Assign(change, run, step, target, handedFrom: from.Assignee);
                instance.History.Add(new InstanceEvent(now, EventKind.Handoff, null, run.StepId,
                    $"Handed from {change.Name(from.Assignee)} to {change.Name(target)}: {why}"));
            }
            change.Add(new NotifyPerson
            {
                Recipient = from.Assignee,
                InstanceId = instance.Id,
                Text = $"{instance.Title(step, change.Name(instance.Requester))} ({instance.Id}) passed its deadline and moved to {change.Names(targets)}.",
            });
            change.TellRequester($"{instance.Id} passed its deadline at {step.Id}: it moved from {change.Name(from.Assignee)} to {change.Names(targets)}.");
            moved += targets.Count;
        }

        if (nowhere.Count > 0)
        {
            var text = $"⚠️ {instance.Id} is overdue at step {step.Id} and there is nobody left to escalate to from {change.Names(nowhere)}.";
            run.DeadlineHandled($"{why}, nobody left to escalate to from {change.Names(nowhere)}");
            foreach (var admin in people.WithRole("admin"))
                change.Add(new NotifyPerson { Recipient = admin.Email, InstanceId = instance.Id, Text = text });
            change.TellRequester($"⚠️ {instance.Id} is overdue and waiting on an admin.");
        }
        return moved;
    }

    private static IReadOnlyList<string> ResolveEscalation(IEnumerable<AssigneeSpec> specs, string owner, WorkflowInstance instance, People.PeopleDirectory people)
    {
        var result = new List<string>();
        foreach (var spec in specs)
        {
            if (spec.Kind == AssigneeKind.Manager)
            {
                if (people.ManagerOf(owner) is { } m) result.Add(m.Email);
            }
            else result.AddRange(ResolveAssignees([spec], instance, people));
        }
        return result.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
