using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Engine;

/// <summary>What other systems do to an instance through the HTTP API: finish a task assigned to them, add a comment.</summary>
public sealed partial class WorkflowEngine
{
    /// <summary>How a system assignee (<c>assignees: system:NAME</c>) is written wherever a person's email would be.</summary>
    public const string SystemPrefix = "system:";

    public static bool IsSystem(string? assignee) => assignee?.StartsWith(SystemPrefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Marks the open task <paramref name="stepId"/> done on behalf of <paramref name="system"/>. Only the system the step is
    /// assigned to may: any other answer changes nothing and says who holds the step.
    /// </summary>
    public DecideResult CompleteSystemTask(string instanceId, string stepId, string system, string? comment, string? via)
    {
        var actor = SystemPrefix + system.Trim().ToLowerInvariant();
        var instance = store.Get(instanceId);
        if (instance is null) return new DecideResult(DecideOutcome.NotFound, $"There is no instance {instanceId}.");
        var index = instance.Steps.FindIndex(s => string.Equals(s.StepId, stepId, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
            return new DecideResult(DecideOutcome.NotFound,
                $"{instance.Id} has no step '{stepId}'; its steps are {string.Join(", ", instance.Steps.Select(s => s.StepId))}.", instance);
        var run = instance.Steps[index];
        var step = instance.Definition.Steps[index];
        if (step.Kind != StepKind.Task)
            return new DecideResult(DecideOutcome.NotAllowed, $"Step {run.StepId} of {instance.Id} is a{(step.Kind == StepKind.Approval ? "n approval" : " notification")}, not a task; a system can only complete a task.", instance);
        if (!instance.IsOpen)
            return new DecideResult(DecideOutcome.Closed, $"{instance.Id} is already {instance.State.ToString().ToLowerInvariant()}.", instance);
        if (run.State != StepState.Active)
            return new DecideResult(DecideOutcome.Closed, $"Step {run.StepId} of {instance.Id} is not open (it is {run.State.ToString().ToLowerInvariant()}).", instance);

        var mine = run.Assignments.FirstOrDefault(a => a.IsOpen && string.Equals(a.Assignee, actor, StringComparison.OrdinalIgnoreCase));
        if (mine is null)
        {
            var holders = run.Assignments.Where(a => a.IsOpen).Select(a => a.Assignee).ToList();
            return new DecideResult(DecideOutcome.NotAssignee,
                $"Step {run.StepId} of {instance.Id} is not assigned to {actor}; it is held by {(holders.Count == 0 ? "nobody" : string.Join(", ", holders))}. Nothing was changed.", instance);
        }
        return Decide(instance.Id, mine.Id, actor, Verdict.Done, comment, via);
    }

    /// <summary>Adds a comment to an instance's history (open or closed): context from another system travels with the work.</summary>
    public DecideResult Comment(string instanceId, string author, string text, string? via)
    {
        author = author.Trim();
        if (TooLong("The comment", text.Trim(), TextLimits.Comment) is { } tooLong) return tooLong;
        return Mutate(instanceId,
            _ => null,
            change =>
            {
                var instance = change.Instance;
                var who = author.Contains('@') ? author.ToLowerInvariant() : author;
                instance.History.Add(new InstanceEvent(change.Now, EventKind.Commented, who, instance.Current?.StepId, $"{change.Name(who)} commented: {text.Trim()}", via));
                return $"Comment added to {instance.Id}.";
            },
            noun: "instance");
    }
}
