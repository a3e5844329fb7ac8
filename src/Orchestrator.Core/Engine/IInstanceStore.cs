using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Engine;

/// <summary>
/// Durable home of instances and their outbox; each write stores the instance and its effects atomically. A write the store
/// cannot keep throws <see cref="InstanceNotSavedException"/> with nothing kept, and the instance is set aside.
/// </summary>
public interface IInstanceStore
{
    WorkflowInstance? Get(string id);

    /// <summary>The next free instance number of a workflow (1, 2, …); never handed out twice.</summary>
    int NextNumber(string workflowId);

    void Insert(WorkflowInstance instance, IReadOnlyList<Effect> effects);

    /// <summary>Stores the instance if the stored revision still equals <paramref name="expectedRevision"/>; false otherwise.</summary>
    bool TryUpdate(WorkflowInstance instance, int expectedRevision, IReadOnlyList<Effect> effects);

    IReadOnlyList<WorkflowInstance> StartedBy(string email, int limit);

    IReadOnlyList<WorkflowInstance> WaitingOn(string email);

    /// <summary>Open instances with something only an admin can unblock (see <see cref="StuckItem"/>).</summary>
    IReadOnlyList<WorkflowInstance> NeedingAdmin();

    /// <summary>Instances whose last change could not be stored, oldest first; one leaves the list when a change of it is stored.</summary>
    IReadOnlyList<SetAsideInstance> SetAside();
}
