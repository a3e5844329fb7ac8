using Orchestrator.Core.Definitions;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

/// <summary>The definitions and directory in force; replaced whole on reload so readers never see half of one.</summary>
public sealed class Catalog
{
    private volatile Snapshot _current = new([], PeopleDirectory.Empty, []);

    private sealed record Snapshot(IReadOnlyList<WorkflowDefinition> Definitions, PeopleDirectory People, IReadOnlyList<DefinitionError> Problems);

    public IReadOnlyList<WorkflowDefinition> Definitions => _current.Definitions;
    public PeopleDirectory People => _current.People;

    /// <summary>Every error met while loading, so that readiness and `admin reload` can name them.</summary>
    public IReadOnlyList<DefinitionError> Problems => _current.Problems;

    public void Replace(IEnumerable<WorkflowDefinition> definitions, PeopleDirectory people, IEnumerable<DefinitionError> problems) =>
        _current = new Snapshot(definitions.OrderBy(d => d.Id, StringComparer.Ordinal).ToList(), people, problems.ToList());

    public WorkflowDefinition? Find(string id) =>
        Definitions.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.OrdinalIgnoreCase));
}
