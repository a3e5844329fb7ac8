namespace Orchestrator.Core.Engine;

/// <summary>
/// The store could not keep a change of one instance (say its record grew past what the store can hold). Nothing of the
/// change was kept, and the store has set the instance aside for an admin (<see cref="IInstanceStore.SetAside"/>).
/// </summary>
public sealed class InstanceNotSavedException(string instanceId, string reason, Exception? inner = null)
    : Exception($"Could not save {instanceId}: {reason}", inner)
{
    public string InstanceId { get; } = instanceId;

    public string Reason { get; } = reason;

    /// <summary>What the person whose click or command could not be kept is told.</summary>
    public string Answer => AnswerFor(InstanceId);

    public static string AnswerFor(string instanceId) =>
        $"That could not be recorded: {instanceId} cannot be saved right now. An admin has been told; nothing was changed.";
}

/// <summary>An instance whose last change could not be stored; its reminders and deadlines wait until one can.</summary>
public sealed record SetAsideInstance(string InstanceId, string? StepId, string What, string Error, DateTimeOffset Since, DateTimeOffset LastTried);
