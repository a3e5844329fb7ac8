namespace Orchestrator.Core.Definitions;

/// <summary>A workflow as an admin described it in a YAML file; immutable once loaded.</summary>
public sealed record WorkflowDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>Content hash of the source file: a running instance keeps the version it started with.</summary>
    public required string Version { get; init; }
    public IReadOnlyList<InputDefinition> Inputs { get; init; } = [];
    public IReadOnlyList<StepDefinition> Steps { get; init; } = [];

    /// <summary>Working hours for reminders, e.g. "Mon-Fri 09:00-17:00"; null means any time.</summary>
    public BusinessHours? BusinessHours { get; init; }
    public string? Webhook { get; init; }
    public string? SourcePath { get; init; }

    public InputDefinition? FindInput(string id) =>
        Inputs.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.OrdinalIgnoreCase));
}

public enum InputType { Text, Number, Date, Choice, Person }

public sealed record InputDefinition
{
    public required string Id { get; init; }
    public required string Label { get; init; }
    public InputType Type { get; init; } = InputType.Text;
    public bool Required { get; init; }

    /// <summary>Allowed values of a <see cref="InputType.Choice"/> input.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}

public enum StepKind { Approval, Task, Notify }

public enum TimeoutAction { Escalate, Approve, Reject, Cancel, Notify }

public enum RejectAction { End, BackToRequester }

public sealed record StepDefinition
{
    public required string Id { get; init; }
    public StepKind Kind { get; init; } = StepKind.Approval;

    /// <summary>A template with <c>{{input}}</c> placeholders.</summary>
    public required string Title { get; init; }
    public IReadOnlyList<AssigneeSpec> Assignees { get; init; } = [];
    public DecisionMode Mode { get; init; } = DecisionMode.Any;
    public Condition? When { get; init; }
    public TimeSpan? Remind { get; init; }
    public TimeSpan? Due { get; init; }
    public TimeoutAction? OnTimeout { get; init; }
    public IReadOnlyList<AssigneeSpec> EscalateTo { get; init; } = [];
    public RejectAction OnReject { get; init; } = RejectAction.End;
}

public enum AssigneeKind { Requester, Manager, Role, Person, System }

/// <summary>Who a step goes to: <c>requester</c>, <c>manager</c>, <c>role:NAME</c>, <c>person:EMAIL</c>, <c>system:NAME</c>.</summary>
public sealed record AssigneeSpec(AssigneeKind Kind, string? Value = null)
{
    public static bool TryParse(string text, out AssigneeSpec spec, out string error)
    {
        spec = new AssigneeSpec(AssigneeKind.Requester);
        error = "";
        var t = text.Trim();
        if (t.Equals("requester", StringComparison.OrdinalIgnoreCase)) { spec = new(AssigneeKind.Requester); return true; }
        if (t.Equals("manager", StringComparison.OrdinalIgnoreCase)) { spec = new(AssigneeKind.Manager); return true; }
        var colon = t.IndexOf(':');
        if (colon > 0 && colon < t.Length - 1)
        {
            var prefix = t[..colon].ToLowerInvariant();
            var value = t[(colon + 1)..].Trim();
            switch (prefix)
            {
                case "role": spec = new(AssigneeKind.Role, value); return true;
                case "person" when value.Contains('@'): spec = new(AssigneeKind.Person, value.ToLowerInvariant()); return true;
                case "person": error = $"'{t}' needs an email after 'person:'"; return false;
                case "system": spec = new(AssigneeKind.System, value); return true;
            }
        }
        error = $"'{t}' is not an assignee; use requester, manager, role:NAME, person:EMAIL or system:NAME";
        return false;
    }

    public override string ToString() => Value is null ? Kind.ToString().ToLowerInvariant() : $"{Kind.ToString().ToLowerInvariant()}:{Value}";
}

public enum DecisionModeKind { Any, All, Quorum }

/// <summary><c>any</c> (first answer decides), <c>all</c>, or <c>quorum:N</c>.</summary>
public sealed record DecisionMode(DecisionModeKind Kind, int Quorum = 0)
{
    public static readonly DecisionMode Any = new(DecisionModeKind.Any);
    public static readonly DecisionMode All = new(DecisionModeKind.All);

    public static bool TryParse(string text, out DecisionMode mode)
    {
        var t = text.Trim().ToLowerInvariant();
        mode = Any;
        if (t == "any") return true;
        if (t == "all") { mode = All; return true; }
        if (t.StartsWith("quorum:", StringComparison.Ordinal) && int.TryParse(t[7..], out var n) && n >= 1)
        {
            mode = new DecisionMode(DecisionModeKind.Quorum, n);
            return true;
        }
        return false;
    }

    public override string ToString() => Kind == DecisionModeKind.Quorum ? $"quorum:{Quorum}" : Kind.ToString().ToLowerInvariant();
}
