using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;

namespace Orchestrator.Host.Api;

// Parameters with a default are optional in the OpenAPI document; those without are listed as required.

/// <summary>Body of <c>POST /api/v1/workflows/{id}/instances</c>. Input values may be JSON strings, numbers or booleans.</summary>
internal sealed record StartInstanceRequest(
    string? Requester,
    Dictionary<string, JsonElement>? Inputs = null,
    [property: JsonPropertyName("external_ref")] string? ExternalRef = null);

/// <summary>
/// Body of <c>POST /api/v1/instances/{id}/events</c>: <c>complete</c> (step, comment) or <c>comment</c> (text). <c>system</c> and
/// <c>author</c> may only name the key's own system: a key acts as that system and nobody else.
/// </summary>
internal sealed record InstanceEventRequest(
    string? Type, string? Step = null, string? System = null, string? Comment = null, string? Text = null, string? Author = null);

internal sealed record InstanceList(IReadOnlyList<InstanceView> Items, string? Next);

/// <summary>An instance as other systems see it: state, who holds it now, due times and (single reads) the history.</summary>
internal sealed record InstanceView(
    string Id,
    string Workflow,
    [property: JsonPropertyName("workflow_name")] string WorkflowName,
    string State,
    string Requester,
    [property: JsonPropertyName("external_ref")] string? ExternalRef,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("started_via")] string? StartedVia,
    [property: JsonPropertyName("started_by")] string StartedBy,
    [property: JsonPropertyName("closed_at")] DateTimeOffset? ClosedAt,
    IReadOnlyDictionary<string, string> Inputs,
    [property: JsonPropertyName("current_step")] CurrentStepView? CurrentStep,
    IReadOnlyList<StepView> Steps,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<HistoryView>? History = null)
{
    public static InstanceView Of(WorkflowInstance i, Catalog catalog, bool withHistory)
    {
        var people = catalog.People;
        CurrentStepView? current = null;
        if (i.IsOpen && i.Current is { State: StepState.Active } run)
        {
            var step = i.Definition.Steps[i.CurrentStep];
            current = new CurrentStepView(run.StepId, Name(step.Kind), i.Title(step, people.NameOf(i.Requester)),
                [.. i.CurrentOwners()], run.ActivatedAt, run.DueAt, run.Note);
        }
        return new InstanceView(
            i.Id, i.WorkflowId, i.Definition.Name, Name(i.State), i.Requester, i.ExternalRef, i.StartedAt, i.StartedVia, i.StartedBy ?? i.Requester, i.ClosedAt,
            i.Inputs, current,
            i.Steps.Select((s, n) => StepView.Of(s, i.Definition.Steps[n])).ToList(),
            withHistory ? i.History.Select(HistoryView.Of).ToList() : null);
    }

    /// <summary>Enum values as the API spells them: <c>step_activated</c>, <c>open</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

internal sealed record CurrentStepView(
    string Id,
    string Kind,
    string Title,
    IReadOnlyList<string> Owners,
    [property: JsonPropertyName("activated_at")] DateTimeOffset? ActivatedAt,
    [property: JsonPropertyName("due_at")] DateTimeOffset? DueAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note = null);

internal sealed record StepView(
    string Id,
    string Kind,
    string State,
    [property: JsonPropertyName("activated_at")] DateTimeOffset? ActivatedAt,
    [property: JsonPropertyName("due_at")] DateTimeOffset? DueAt,
    [property: JsonPropertyName("closed_at")] DateTimeOffset? ClosedAt,
    IReadOnlyList<AssignmentView> Assignments)
{
    public static StepView Of(StepRun run, StepDefinition step) => new(
        run.StepId, InstanceView.Name(step.Kind), InstanceView.Name(run.State), run.ActivatedAt, run.DueAt, run.ClosedAt,
        run.Assignments.Select(AssignmentView.Of).ToList());
}

internal sealed record AssignmentView(
    string Assignee,
    string State,
    [property: JsonPropertyName("assigned_at")] DateTimeOffset AssignedAt,
    [property: JsonPropertyName("decided_at")] DateTimeOffset? DecidedAt,
    string? Comment,
    string? Via,
    [property: JsonPropertyName("on_behalf_of")] string? OnBehalfOf)
{
    public static AssignmentView Of(Assignment a) => new(
        a.Assignee,
        a.Decision is { } d ? InstanceView.Name(d.Verdict) switch { "approve" => "approved", "reject" => "rejected", _ => "done" } : a.IsOpen ? "open" : "closed",
        a.AssignedAt, a.Decision?.At, a.Decision?.Comment ?? a.ClosedReason, a.Decision?.Via, a.OnBehalfOf);
}

internal sealed record HistoryView(DateTimeOffset At, string Event, string? Actor, string? Step, string Text, string? Via)
{
    public static HistoryView Of(InstanceEvent e) => new(e.At, InstanceView.Name(e.Kind), e.Actor, e.StepId, e.Text, e.Via);
}
