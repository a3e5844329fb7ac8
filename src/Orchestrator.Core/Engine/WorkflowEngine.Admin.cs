using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Engine;

public sealed partial class WorkflowEngine
{
    /// <summary>Everything that waits on an admin across open instances, oldest first.</summary>
    public IReadOnlyList<StuckItem> Stuck() =>
        store.NeedingAdmin().SelectMany(i => StuckItem.Of(i, catalog.People))
            .Concat(store.SetAside().Select(StuckItem.Of))
            .OrderBy(i => i.Since).ThenBy(i => i.InstanceId, StringComparer.Ordinal).ToList();

    /// <summary>
    /// An admin moves the current step of an instance to <paramref name="target"/>. Cards that could not be delivered move
    /// alone when there are any; a step short of people gains one; otherwise every open card moves. The old cards close in
    /// place, their holders and the requester are told, and the handoff is recorded with who, when and why.
    /// </summary>
    public ChangeResult Reassign(string instanceId, string stepId, string target, string actor, string? via)
    {
        actor = actor.Trim().ToLowerInvariant();
        var typed = target.Trim();
        target = typed.ToLowerInvariant();
        var people = catalog.People;
        if (!people.IsAdmin(actor)) return ChangeResult.Refused("Only admins can reassign work. Nothing was changed.");
        if (people.Find(target) is null)
            return ChangeResult.Refused($"I don't know {typed}. Reassign to someone in the directory, written as their email or a mention. Nothing was changed.");

        return Mutate(instanceId,
            change =>
            {
                var instance = change.Instance;
                if (!instance.IsOpen)
                    return Refuse(ChangeResult.Refused($"{instance.Id} is already {instance.State.ToString().ToLowerInvariant()}; only open requests can be reassigned."));
                var index = instance.Definition.Steps.ToList().FindIndex(s => string.Equals(s.Id, stepId, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                    return Refuse(ChangeResult.Refused($"{instance.Id} has no step '{stepId}'. Its steps: {string.Join(", ", instance.Definition.Steps.Select(s => s.Id))}."));
                if (index != instance.CurrentStep || instance.Current is not { State: StepState.Active } run)
                    return Refuse(ChangeResult.Refused($"{instance.Id} is at step {instance.Current?.StepId ?? "none"}, not {instance.Definition.Steps[index].Id}: only the step that holds the work can be reassigned."));

                var step = instance.Definition.Steps[index];
                var open = run.Assignments.Where(a => a.IsOpen).ToList();
                var broken = open.Where(a => a.DeliveryFailure is not null).ToList();
                var yes = run.Assignments.Count(a => a.Decision?.Verdict is Verdict.Approve or Verdict.Done);
                var needed = step.Mode.Kind == DecisionModeKind.Quorum ? step.Mode.Quorum - yes : 1;
                var moving = broken.Count > 0 ? broken : open.Count < needed ? [] : open;
                // Reassigning an undelivered card to its own holder sends it again (say, once their chat account is fixed).
                if (open.Any(a => a.DeliveryFailure is null && string.Equals(a.Assignee, target, StringComparison.OrdinalIgnoreCase)))
                    return Refuse(ChangeResult.Refused($"{people.NameOf(target)} already holds {step.Id} of {instance.Id}. Nothing was changed."));
                if (step.Mode.Kind == DecisionModeKind.Quorum && moving.Count > 1 && yes + open.Count - moving.Count + 1 < step.Mode.Quorum)
                    return Refuse(ChangeResult.Refused(
                        $"{step.Id} of {instance.Id} needs {step.Mode.Quorum} approvals from different people; moving {moving.Count} cards to one person would make that impossible. Nothing was changed."));

                var now = change.Now;
                var why = StuckItem.Of(instance, people).FirstOrDefault()?.Problem ?? "moved by an admin";
                var title = instance.Title(step, change.Name(instance.Requester));
                foreach (var card in moving)
                {
                    card.Close($"Reassigned to {change.Name(target)} by {change.Name(actor)}");
                    change.UpdateCard(run, card, CardStatus.Closed, $"Reassigned to {change.Name(target)} by {change.Name(actor)} · {change.TimeFor(card.Assignee, now)}", null, null);
                }
                foreach (var holder in moving.Where(a => a.DeliveryFailure is null).Select(a => a.Assignee)
                             .Where(h => !string.Equals(h, target, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase))
                    change.Add(new NotifyPerson
                    {
                        Recipient = holder,
                        InstanceId = instance.Id,
                        Text = $"{title} ({instance.Id}) was reassigned to {change.Name(target)} by {change.Name(actor)}. Nothing more is needed from you.",
                    });

                // The new owner gets the step's full time, and the step leaves the admins' queue.
                run.HandedOver(step.Due is { } due ? now + due : null);
                var from = moving.Select(a => a.Assignee).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                var created = Assign(change, run, step, target, handedFrom: from.Count == 1 ? from[0] : null);
                var holderText = created.OnBehalfOf is null ? change.Name(created.Assignee) : $"{change.Name(created.Assignee)} (on behalf of {change.Name(target)}, who is away)";
                var fromText = from.Count == 0 ? "nobody" : change.Names(from);
                instance.History.Add(new InstanceEvent(now, EventKind.Reassigned, actor, run.StepId,
                    $"Reassigned by {change.Name(actor)} from {fromText} to {holderText}: {why}", via));
                change.TellRequester($"{instance.Id} ({step.Id}) was reassigned by {change.Name(actor)} to {holderText}.");
                return Commit(new ChangeResult(true, $"Reassigned {step.Id} of {instance.Id} from {fromText} to {holderText}; a new card is on its way."));
            },
            missing: () => ChangeResult.Refused($"There is no request {instanceId}."),
            notSaved: e => ChangeResult.Refused(e.Answer),
            refused: (_, e) => ChangeResult.Refused($"{e.Message} Nothing was changed."));
    }
}
