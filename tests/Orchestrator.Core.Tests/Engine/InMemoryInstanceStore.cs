using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.Simulation;

namespace Orchestrator.Core.Tests.Engine;

/// <summary>The dry run's JSON store, plus a way to make another request commit between the engine's read and its write.</summary>
internal sealed class InMemoryInstanceStore : MemoryInstanceStore
{
    private Action? _beforeNextUpdate;

    public int RefusedWrites { get; private set; }

    /// <summary>
    /// Runs <paramref name="writer"/> once, just before the next <see cref="TryUpdate"/> compares revisions:
    /// another request that commits between the engine's read and its write.
    /// </summary>
    public void BeforeNextUpdate(Action writer) => _beforeNextUpdate = writer;

    public override bool TryUpdate(WorkflowInstance instance, int expectedRevision, IReadOnlyList<Effect> effects)
    {
        var writer = _beforeNextUpdate;
        _beforeNextUpdate = null;
        writer?.Invoke();

        if (base.TryUpdate(instance, expectedRevision, effects)) return true;
        RefusedWrites++;
        return false;
    }
}
