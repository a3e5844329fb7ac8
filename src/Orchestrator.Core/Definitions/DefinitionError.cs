namespace Orchestrator.Core.Definitions;

/// <summary>One mistake in a definition or directory file, located precisely enough for an admin to fix it without guessing.</summary>
/// <param name="Line">1-based; 0 when the problem is the file as a whole (e.g. it does not exist).</param>
/// <param name="Field">A path such as <c>steps[1].assignees</c>; empty for the file as a whole.</param>
public sealed record DefinitionError(string Path, int Line, string Field, string Message)
{
    public override string ToString() => $"{Path}:{Line}: {Field}: {Message}";
}

public sealed record DefinitionLoadResult
{
    public IReadOnlyList<WorkflowDefinition> Definitions { get; init; } = [];
    public IReadOnlyList<DefinitionError> Errors { get; init; } = [];
    public bool IsValid => Errors.Count == 0;
}
