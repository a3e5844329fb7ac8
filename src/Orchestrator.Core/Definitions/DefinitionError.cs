namespace Orchestrator.Core.Definitions;

/// <summary>One mistake in a definition or directory file, located precisely enough for an admin to fix it without guessing.</summary>
/// <param name="Line">1-based; 0 when the problem is the file as a whole (e.g. it does not exist).</param>
/// <param name="Field">A path such as <c>steps[1].assignees</c>; empty for the file as a whole.</param>
public sealed record DefinitionError(string Path, int Line, string Field, string Message)
{
    /// <summary>1-based; 0 when only the line is known (most errors point at a whole value).</summary>
    public int Column { get; init; }

    public override string ToString() => Column > 0 ? $"{Path}:{Line}:{Column}: {Field}: {Message}" : $"{Path}:{Line}: {Field}: {Message}";
}

public sealed record DefinitionLoadResult
{
    public IReadOnlyList<WorkflowDefinition> Definitions { get; init; } = [];
    public IReadOnlyList<DefinitionError> Errors { get; init; } = [];

    /// <summary>What can only be known when a request starts (e.g. whether its requester has a manager); never blocks loading.</summary>
    public IReadOnlyList<DefinitionError> Warnings { get; init; } = [];
    public bool IsValid => Errors.Count == 0;
}
