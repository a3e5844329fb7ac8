using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Engine;

public enum StartOutcome { Started, UnknownWorkflow, InvalidInputs, MissingInputs }

public sealed record StartResult(
    StartOutcome Outcome,
    WorkflowInstance? Instance = null,
    IReadOnlyList<InputError>? Errors = null,
    IReadOnlyList<InputDefinition>? Missing = null,
    IReadOnlyDictionary<string, string>? Values = null);

/// <summary>
/// <see cref="TextRequired"/>: a blank question or answer; <see cref="InvalidInputs"/>: a resubmission with bad values;
/// <see cref="NotSaved"/>: the store could not keep the change (see <see cref="InstanceNotSavedException"/>);
/// <see cref="TooLong"/>: a comment, reason, question or answer over its <see cref="Definitions.TextLimits"/>.
/// </summary>
public enum DecideOutcome { Recorded, NotFound, NotAssignee, AlreadyDecided, Closed, ReasonRequired, NotAllowed, TextRequired, InvalidInputs, NotSaved, TooLong }

/// <summary>What became of a click; <see cref="Message"/> is what the clicker is told.</summary>
public sealed record DecideResult(DecideOutcome Outcome, string Message, WorkflowInstance? Instance = null)
{
    public bool Recorded => Outcome == DecideOutcome.Recorded;

    public static DecideResult NotSaved(InstanceNotSavedException e) => new(DecideOutcome.NotSaved, e.Answer);
}

/// <summary>A resubmission form checked before it is accepted: a <see cref="Refusal"/> (who may not), else the inputs' <see cref="Validation"/>.</summary>
public sealed record ResubmitCheck(DecideResult? Refusal, InputValidation? Validation);
