using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Simulation;

/// <summary>
/// An <see cref="IInstanceStore"/> in memory that keeps instances as JSON, the way the host's store does, so whoever
/// uses it sees only what survives a write and a read, and the engine can never keep a live reference to stored state.
/// </summary>
internal class MemoryInstanceStore : IInstanceStore
{
    /// <summary>The options of the host's store (Orchestrator.Host.Storage.StoreJson).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Dictionary<string, string> _instances = new(StringComparer.Ordinal);
    private readonly List<string> _insertOrder = [];
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<Effect> _effects = [];
    private int _seen;

    /// <summary>Every effect committed so far, in commit order.</summary>
    public IReadOnlyList<Effect> Effects => _effects;

    public int Writes { get; private set; }

    /// <summary>The effects committed since the previous call.</summary>
    public IReadOnlyList<Effect> NewEffects()
    {
        var fresh = _effects.Skip(_seen).ToList();
        _seen = _effects.Count;
        return fresh;
    }

    public WorkflowInstance? Get(string id) =>
        _instances.TryGetValue(id, out var json) ? Read(json) : null;

    public int NextNumber(string workflowId)
    {
        var n = _counters.GetValueOrDefault(workflowId) + 1;
        _counters[workflowId] = n;
        return n;
    }

    public void Insert(WorkflowInstance instance, IReadOnlyList<Effect> effects)
    {
        if (_instances.ContainsKey(instance.Id)) throw new InvalidOperationException($"{instance.Id} is already stored.");
        _instances[instance.Id] = JsonSerializer.Serialize(instance, Json);
        _insertOrder.Add(instance.Id);
        Commit(effects);
    }

    public virtual bool TryUpdate(WorkflowInstance instance, int expectedRevision, IReadOnlyList<Effect> effects)
    {
        if (!_instances.TryGetValue(instance.Id, out var stored) || Read(stored).Revision != expectedRevision) return false;
        _instances[instance.Id] = JsonSerializer.Serialize(instance, Json);
        Commit(effects);
        return true;
    }

    public IReadOnlyList<WorkflowInstance> StartedBy(string email, int limit) =>
        All().Where(i => string.Equals(i.Requester, email, StringComparison.OrdinalIgnoreCase))
            .Reverse()
            .OrderByDescending(i => i.StartedAt)
            .Take(limit)
            .ToList();

    public IReadOnlyList<WorkflowInstance> WaitingOn(string email) =>
        All().Where(i => i.IsOpen && i.CurrentOwners().Contains(email, StringComparer.OrdinalIgnoreCase))
            .OrderBy(i => i.Current?.ActivatedAt)
            .ToList();

    public IReadOnlyList<WorkflowInstance> NeedingAdmin() =>
        All().Where(i => StuckItem.Of(i).Count > 0).ToList();

    // Memory never refuses a change.
    public IReadOnlyList<SetAsideInstance> SetAside() => [];

    private IEnumerable<WorkflowInstance> All() => _insertOrder.Select(id => Read(_instances[id]));

    private void Commit(IReadOnlyList<Effect> effects)
    {
        Writes++;
        // Effects go through JSON too: the outbox stores them, and a channel reads them back.
        foreach (var effect in effects)
            _effects.Add(JsonSerializer.Deserialize<Effect>(JsonSerializer.Serialize(effect, Json), Json)!);
    }

    private static WorkflowInstance Read(string json) =>
        JsonSerializer.Deserialize<WorkflowInstance>(json, Json) ?? throw new InvalidOperationException("An instance read back as null.");
}
