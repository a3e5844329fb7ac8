namespace Orchestrator.Core.Instances;

/// <summary>
/// An instance, step or assignment refused a change its state does not allow (a closed request decided, an answer given
/// twice). The engine checks first and tells people why in their own terms; this is the instance's own guard behind it.
/// </summary>
public sealed class InvalidTransitionException(string message, bool closed = false) : InvalidOperationException(message)
{
    /// <summary>True when the refusal is because the whole instance is closed, false when only the step or card is.</summary>
    public bool Closed { get; } = closed;
}
