using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

public enum StuckKind
{
    /// <summary>The step's assignees resolve to nobody (or to fewer people than its quorum).</summary>
    Unassignable,

    /// <summary>A card could not be delivered for good: the assignee has no reachable chat account.</summary>
    Undeliverable,

    /// <summary>The step passed its deadline and there is nobody left to escalate to.</summary>
    NoEscalation,

    /// <summary>A change of the instance could not be stored (see <see cref="IInstanceStore.SetAside"/>): nothing moves on it.</summary>
    NotSaved,
}

/// <summary>
/// Something only an admin can unblock. Derived from the instance's stored state, so it is as durable as the instance
/// and leaves the queue by itself once a reassign (or a decision, or a cancel) resolves it.
/// </summary>
public sealed record StuckItem(string InstanceId, string StepId, StuckKind Kind, string? Holder, string Problem, DateTimeOffset Since)
{
    /// <summary>The command that resolves it, ready to copy; null when no command can (the store refuses the instance).</summary>
    public string? Fix => Kind == StuckKind.NotSaved ? null : $"admin reassign {InstanceId} {StepId} <person>";

    /// <summary>An instance the store could not save a change of.</summary>
    public static StuckItem Of(SetAsideInstance setAside) => new(setAside.InstanceId, setAside.StepId ?? "-", StuckKind.NotSaved, null,
        $"its changes cannot be saved ({setAside.What}: {setAside.Error}); its reminders, deadlines and answers wait, and the host tries it again every hour",
        setAside.Since);

    /// <summary>Everything in <paramref name="instance"/> that waits on an admin, oldest first.</summary>
    public static IReadOnlyList<StuckItem> Of(WorkflowInstance instance, PeopleDirectory? people = null)
    {
        if (!instance.IsOpen || instance.Current is not { State: StepState.Active } run) return [];
        string Name(string email) => people?.NameOf(email) ?? email;
        var items = new List<StuckItem>();
        var open = run.Assignments.Where(a => a.IsOpen).ToList();
        if (open.Count == 0)
            items.Add(new(instance.Id, run.StepId, StuckKind.Unassignable, null, run.Note ?? "nobody holds this step", run.ActivatedAt ?? instance.StartedAt));
        foreach (var a in open.Where(a => a.DeliveryFailure is not null))
            items.Add(new(instance.Id, run.StepId, StuckKind.Undeliverable, a.Assignee,
                $"the card could not be delivered to {Name(a.Assignee)}: {a.DeliveryFailure}", a.DeliveryFailedAt ?? a.AssignedAt));
        if (run.WaitingOnAdmin is { } why && open.Count > 0)
            items.Add(new(instance.Id, run.StepId, StuckKind.NoEscalation, null, why, run.DueAt ?? run.ActivatedAt ?? instance.StartedAt));
        return items.OrderBy(i => i.Since).ToList();
    }
}
