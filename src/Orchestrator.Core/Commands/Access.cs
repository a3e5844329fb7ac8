using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Commands;

/// <summary>Who may see what: the rules behind status, in one place.</summary>
public static class Access
{
    /// <summary>
    /// The requester, anyone who held or holds a card (and whoever they held it for), the delegates of its current owners,
    /// and admins may see an instance; nobody else learns anything about it.
    /// </summary>
    public static bool MayView(WorkflowInstance instance, string actor, PeopleDirectory people, DelegationBook delegations) =>
        people.IsAdmin(actor)
        || instance.Involves(actor)
        || instance.Steps.Any(s => s.Assignments.Any(a => Same(a.HandedFrom, actor) || Same(a.OnBehalfOf, actor)))
        || instance.CurrentOwners().Any(owner => delegations.StandsInFor(actor, owner));

    private static bool Same(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
